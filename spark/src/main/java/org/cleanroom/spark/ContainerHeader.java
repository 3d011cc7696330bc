package org.cleanroom.spark;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The header of an encrypted dataset container, version 1 (docs/formats/encrypted-dataset.md),
 * parsed and checked: magic, version, aead, chunk_size range, dataset id length and UTF-8, and
 * header_hash. Immutable.
 */
public final class ContainerHeader {
  static final byte[] MAGIC = {0x43, 0x52, 0x45, 0x4E, 0x43, 0x44, 0x53, 0x0A};
  static final int FIXED_SIZE = 38;
  static final int HASH_SIZE = 32;
  static final int MAX_DATASET_ID = 1024;
  static final int MIN_CHUNK = 1024;
  static final int MAX_CHUNK = 64 << 20;
  static final int TAG_SIZE = 16;
  /** The largest header: the fixed fields, the longest dataset id and the hash. */
  static final int MAX_SIZE = FIXED_SIZE + MAX_DATASET_ID + HASH_SIZE;

  private final int chunkSize;
  private final byte[] noncePrefix;
  private final byte[] keyId;
  private final String datasetId;
  private final byte[] headerHash;
  private final int size;

  private ContainerHeader(int chunkSize, byte[] noncePrefix, byte[] keyId, String datasetId,
      byte[] headerHash, int size) {
    this.chunkSize = chunkSize;
    this.noncePrefix = noncePrefix;
    this.keyId = keyId;
    this.datasetId = datasetId;
    this.headerHash = headerHash;
    this.size = size;
  }

  /** Reads and checks the header at the start of {@code source}. */
  public static ContainerHeader read(SeekableSource source) throws java.io.IOException {
    long stored = source.size();
    if (stored < FIXED_SIZE) {
      throw new ContainerException("container header: shorter than its fixed fields");
    }
    byte[] fixed = new byte[FIXED_SIZE];
    source.readFully(0, fixed, 0, FIXED_SIZE);
    ByteBuffer in = ByteBuffer.wrap(fixed);
    byte[] magic = new byte[8];
    in.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new ContainerException("container header: wrong magic (not a cleanroom container)");
    }
    int version = Short.toUnsignedInt(in.getShort());
    if (version != 1) {
      throw new ContainerException("container header: unsupported version " + version);
    }
    int aead = Short.toUnsignedInt(in.getShort());
    if (aead != 1) {
      throw new ContainerException("container header: unsupported aead " + aead);
    }
    long chunkSize = Integer.toUnsignedLong(in.getInt());
    if (chunkSize < MIN_CHUNK || chunkSize > MAX_CHUNK) {
      throw new ContainerException("container header: chunk_size " + chunkSize + " out of range");
    }
    byte[] noncePrefix = new byte[4];
    in.get(noncePrefix);
    byte[] keyId = new byte[16];
    in.get(keyId);
    int idLength = Short.toUnsignedInt(in.getShort());
    if (idLength > MAX_DATASET_ID) {
      throw new ContainerException("container header: dataset_id_len " + idLength + " over 1024");
    }
    int size = FIXED_SIZE + idLength + HASH_SIZE;
    if (stored < size) {
      throw new ContainerException("container header: shorter than its fields");
    }
    byte[] all = new byte[size];
    System.arraycopy(fixed, 0, all, 0, FIXED_SIZE);
    source.readFully(FIXED_SIZE, all, FIXED_SIZE, idLength + HASH_SIZE);
    byte[] headerHash = Arrays.copyOfRange(all, FIXED_SIZE + idLength, size);
    if (!MessageDigest.isEqual(sha256(all, FIXED_SIZE + idLength), headerHash)) {
      throw new ContainerException("container header: header_hash does not match");
    }
    String datasetId;
    try {
      datasetId = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(all, FIXED_SIZE, idLength)).toString();
    } catch (CharacterCodingException e) {
      throw new ContainerException("container header: dataset_id is not UTF-8");
    }
    return new ContainerHeader((int) chunkSize, noncePrefix, keyId, datasetId, headerHash, size);
  }

  static byte[] sha256(byte[] data, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(data, 0, length);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JVM", e);
    }
  }

  /** Plaintext bytes per chunk, C. */
  public int chunkSize() {
    return chunkSize;
  }

  /** The header's size in bytes, H = 70 + L. */
  public int size() {
    return size;
  }

  public String datasetId() {
    return datasetId;
  }

  /** The first 16 bytes of HMAC-SHA256(DEK, "cleanroom.container.key-id.v1"): names the key. */
  public byte[] keyId() {
    return keyId.clone();
  }

  byte[] noncePrefix() {
    return noncePrefix.clone();
  }

  byte[] headerHash() {
    return headerHash.clone();
  }
}
