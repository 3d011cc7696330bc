package org.cleanroom.spark;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The sha256-tree-v1 content hash (docs/formats/encrypted-dataset.md): SHA-256 of each 64 KiB
 * leaf, then SHA-256 of the tag, the leaf digests and the 8-byte length. Streaming: bytes come in
 * any slices; memory is one leaf digest at a time.
 */
public final class Sha256TreeV1 {
  static final int LEAF = 65536;
  private static final byte[] TAG = "cleanroom.sha256-tree-v1".getBytes(StandardCharsets.US_ASCII);

  private final MessageDigest root = newSha256();
  private final MessageDigest leaf = newSha256();
  private int inLeaf;
  private long total;
  private boolean leafOpen;

  public Sha256TreeV1() {
    root.update(TAG);
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }

  public void update(byte[] data, int offset, int length) {
    while (length > 0) {
      int take = Math.min(length, LEAF - inLeaf);
      leaf.update(data, offset, take);
      leafOpen = true;
      inLeaf += take;
      total += take;
      offset += take;
      length -= take;
      if (inLeaf == LEAF) {
        root.update(leaf.digest());
        inLeaf = 0;
        leafOpen = false;
      }
    }
  }

  /** The root; the hasher is spent afterwards. */
  public byte[] digest() {
    // An empty input is one empty leaf; a partial last leaf is a leaf.
    if (leafOpen || total == 0) {
      root.update(leaf.digest());
    }
    root.update(ByteBuffer.allocate(8).putLong(total).array());
    return root.digest();
  }

  /** The hash of {@code data} as 64 lower-case hex digits. */
  public static String hex(byte[] data) {
    Sha256TreeV1 tree = new Sha256TreeV1();
    tree.update(data, 0, data.length);
    return java.util.HexFormat.of().formatHex(tree.digest());
  }
}
