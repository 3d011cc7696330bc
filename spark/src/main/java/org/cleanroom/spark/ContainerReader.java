package org.cleanroom.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Random access to an encrypted dataset container, version 1: one chunk per read, each opened
 * with AES-256-GCM under the nonce and AAD of docs/formats/encrypted-dataset.md. Plaintext of a
 * chunk that fails authentication is never returned.
 *
 * <p>Not thread-safe: one reader per stream. {@link #close} wipes the reader's copy of the key
 * (the JCE's own key object cannot be wiped on Java 17; it is dropped with the reader).
 */
public final class ContainerReader implements AutoCloseable {
  private static final byte[] KEY_ID_LABEL =
      "cleanroom.container.key-id.v1".getBytes(StandardCharsets.US_ASCII);

  private final SeekableSource source;
  private final ContainerHeader header;
  private final byte[] key;
  private final SecretKeySpec keySpec;
  private final long chunkCount;
  private final long lastStored;
  private final long plaintextSize;

  /**
   * Checks the header and the sizes, and that {@code dek} is the key the header names.
   * REQUIRES: dek is 32 bytes; the caller keeps and wipes its own copy.
   */
  public ContainerReader(SeekableSource source, byte[] dek) throws IOException {
    if (dek == null || dek.length != 32) {
      throw new IllegalArgumentException("container key: AES-256 needs 32 bytes");
    }
    this.source = source;
    this.header = ContainerHeader.read(source);
    Layout layout = Layout.of(header, source.size());
    this.chunkCount = layout.chunkCount;
    this.lastStored = layout.lastStored;
    this.plaintextSize = layout.plaintextSize;
    if (!MessageDigest.isEqual(keyId(dek), header.keyId())) {
      throw new ContainerException("container: wrong key (the header's key_id names another key)");
    }
    this.key = dek.clone();
    this.keySpec = new SecretKeySpec(key, "AES");
  }

  /** The first 16 bytes of HMAC-SHA256(dek, "cleanroom.container.key-id.v1"). */
  public static byte[] keyId(byte[] dek) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(dek, "HmacSHA256"));
      return Arrays.copyOf(mac.doFinal(KEY_ID_LABEL), 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  public ContainerHeader header() {
    return header;
  }

  public long chunkCount() {
    return chunkCount;
  }

  public long plaintextSize() {
    return plaintextSize;
  }

  /** Plaintext size computed from a stored size and header alone (no key): for file listings. */
  public static long plaintextSize(ContainerHeader header, long storedSize) throws IOException {
    return Layout.of(header, storedSize).plaintextSize;
  }

  /** The spec's "Reading" formulas: chunk count, last chunk's stored size, plaintext size. */
  private static final class Layout {
    final long chunkCount;
    final long lastStored;
    final long plaintextSize;

    private Layout(long chunkCount, long lastStored, long plaintextSize) {
      this.chunkCount = chunkCount;
      this.lastStored = lastStored;
      this.plaintextSize = plaintextSize;
    }

    static Layout of(ContainerHeader header, long storedSize) throws ContainerException {
      long stored = storedSize - header.size();
      if (stored <= 0) {
        throw new ContainerException("container: chunk 0 missing");
      }
      long storedChunk = (long) header.chunkSize() + ContainerHeader.TAG_SIZE;
      long n = (stored + storedChunk - 1) / storedChunk;
      long last = stored - (n - 1) * storedChunk;
      if (last < ContainerHeader.TAG_SIZE) {
        throw new ContainerException("chunk " + (n - 1) + " of " + n + ": shorter than its tag");
      }
      return new Layout(n, last, (n - 1) * header.chunkSize() + last - ContainerHeader.TAG_SIZE);
    }
  }

  /** Decrypts and authenticates chunk {@code index}; returns its plaintext. */
  public byte[] readChunk(long index) throws IOException {
    if (index < 0 || index >= chunkCount) {
      throw new IndexOutOfBoundsException("chunk " + index + " of " + chunkCount);
    }
    boolean last = index == chunkCount - 1;
    long storedChunk = (long) header.chunkSize() + ContainerHeader.TAG_SIZE;
    int length = (int) (last ? lastStored : storedChunk);
    byte[] sealed = new byte[length];
    String where = "chunk " + index + " of " + chunkCount;
    try {
      source.readFully(header.size() + index * storedChunk, sealed, 0, length);
    } catch (IOException e) {
      throw new ContainerException(where + ": read failed", e);
    }
    ByteBuffer nonce = ByteBuffer.allocate(12).put(header.noncePrefix()).putLong(index);
    ByteBuffer aad = ByteBuffer.allocate(41).put(header.headerHash()).putLong(index)
        .put((byte) (last ? 1 : 0));
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, keySpec, new GCMParameterSpec(128, nonce.array()));
      cipher.updateAAD(aad.array());
      // The JCE releases GCM plaintext only after the tag has verified.
      return cipher.doFinal(sealed);
    } catch (AEADBadTagException e) {
      throw new ContainerException(where + ": authentication failed");
    } catch (GeneralSecurityException e) {
      throw new ContainerException(where + ": cipher failed (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Decrypts every chunk into one array; for tests and small files. */
  public byte[] readAll() throws IOException {
    if (plaintextSize > Integer.MAX_VALUE - 8) {
      throw new ContainerException("container: too large to read into one array");
    }
    byte[] out = new byte[(int) plaintextSize];
    for (long i = 0; i < chunkCount; i++) {
      byte[] chunk = readChunk(i);
      System.arraycopy(chunk, 0, out, (int) (i * header.chunkSize()), chunk.length);
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    Arrays.fill(key, (byte) 0);
    source.close();
  }
}
