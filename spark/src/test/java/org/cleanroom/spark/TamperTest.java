package org.cleanroom.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every attack in the spec's "What is detected" table, and every header refusal, on a container
 * written by `cleanroom encrypt`: each is a ContainerException naming what failed, and its text
 * holds no plaintext, no key and no path.
 */
class TamperTest {
  private static final int CHUNK = 1024;
  private static final String MARKER = "PLAINTEXT-MARKER-";
  @TempDir Path dir;
  private byte[] plain;
  private byte[] stored;
  private byte[] dek;
  private int headerSize;
  private int tampered;

  @BeforeEach
  void encrypt() throws Exception {
    plain = MARKER.repeat(300).substring(0, 4 * CHUNK + 900).getBytes(StandardCharsets.US_ASCII);
    Path in = dir.resolve("plain.csv");
    Files.write(in, plain);
    dek = Cleanroom.encrypt(in, dir.resolve("good.enc"), CHUNK, "ds-tamper");
    stored = Files.readAllBytes(dir.resolve("good.enc"));
    headerSize = 70 + "ds-tamper".length();
    assertEquals(headerSize + 4 * (CHUNK + 16) + 900 + 16, stored.length);
  }

  private int chunkOffset(int i) {
    return headerSize + i * (CHUNK + 16);
  }

  /** Opens {@code bytes} with {@code key} and reads everything; returns the refusal's text. */
  private String refused(byte[] bytes, byte[] key, String expected) throws Exception {
    Path file = dir.resolve("tampered-" + (tampered++));
    Files.write(file, bytes);
    ContainerException e = assertThrows(ContainerException.class, () -> {
      try (ContainerReader reader = new ContainerReader(Cleanroom.open(file), key)) {
        reader.readAll();
      }
    });
    String text = e.getMessage();
    assertTrue(text.contains(expected), "expected '" + expected + "' in: " + text);
    assertFalse(text.contains("MARKER"), text);
    assertFalse(text.contains(HexFormat.of().formatHex(dek)), text);
    assertFalse(text.contains(Base64.getEncoder().encodeToString(dek)), text);
    assertFalse(text.contains(dir.toString()), text);
    return text;
  }

  private static byte[] flip(byte[] bytes, int at) {
    byte[] copy = bytes.clone();
    copy[at] ^= 0x01;
    return copy;
  }

  private byte[] rehash(byte[] bytes) {
    byte[] copy = bytes.clone();
    int idLength = ByteBuffer.wrap(copy, 36, 2).getShort() & 0xffff;
    int end = ContainerHeader.FIXED_SIZE + idLength;
    System.arraycopy(ContainerHeader.sha256(copy, end), 0, copy, end, 32);
    return copy;
  }

  @Test
  void untouchedContainerReads() throws Exception {
    try (ContainerReader reader = new ContainerReader(Cleanroom.open(writeGood()), dek)) {
      assertEquals(new String(plain, StandardCharsets.US_ASCII),
          new String(reader.readAll(), StandardCharsets.US_ASCII));
    }
  }

  private Path writeGood() throws Exception {
    Path file = dir.resolve("good-copy");
    Files.write(file, stored);
    return file;
  }

  @Test
  void flippedBitInAChunk() throws Exception {
    refused(flip(stored, chunkOffset(2) + 100), dek, "chunk 2 of 5: authentication failed");
    refused(flip(stored, chunkOffset(4) + 900 + 15), dek, "chunk 4 of 5: authentication failed");
  }

  @Test
  void flippedBitInTheHeader() throws Exception {
    for (int at = 0; at < headerSize; at++) {
      refused(flip(stored, at), dek, "container");
    }
    // With the header hash recomputed, every chunk's AAD still binds the original hash.
    refused(rehash(flip(stored, 40)), dek, "chunk 0 of 5: authentication failed");
    // nonce_prefix changed: the nonce no longer matches.
    refused(rehash(flip(stored, 17)), dek, "chunk 0 of 5: authentication failed");
  }

  @Test
  void truncationAtAChunkBoundary() throws Exception {
    refused(Arrays.copyOf(stored, chunkOffset(4)), dek, "chunk 3 of 4: authentication failed");
    refused(Arrays.copyOf(stored, chunkOffset(1)), dek, "chunk 0 of 1: authentication failed");
    refused(Arrays.copyOf(stored, headerSize), dek, "chunk 0 missing");
  }

  @Test
  void truncationMidChunkOrBytesAppended() throws Exception {
    refused(Arrays.copyOf(stored, stored.length - 1), dek, "chunk 4 of 5: authentication failed");
    refused(Arrays.copyOf(stored, chunkOffset(4) + 10), dek, "chunk 4 of 5: shorter than its tag");
    refused(Arrays.copyOf(stored, stored.length + 1), dek, "chunk 4 of 5: authentication failed");
    // A full last chunk plus bytes: a new last chunk that is too short, or fails its tag.
    byte[] full = Arrays.copyOf(stored, chunkOffset(4));
    refused(Arrays.copyOf(full, full.length + 5), dek, "chunk 4 of 5: shorter than its tag");
    refused(Arrays.copyOf(full, full.length + 40), dek, "chunk 4 of 5: authentication failed");
  }

  @Test
  void chunksReordered() throws Exception {
    byte[] swapped = stored.clone();
    System.arraycopy(stored, chunkOffset(1), swapped, chunkOffset(0), CHUNK + 16);
    System.arraycopy(stored, chunkOffset(0), swapped, chunkOffset(1), CHUNK + 16);
    refused(swapped, dek, "chunk 0 of 5: authentication failed");
  }

  @Test
  void chunkCopiedFromAnotherContainerWithTheSameKey() throws Exception {
    // `cleanroom encrypt` never reuses a key, so both containers are written from the spec.
    byte[] a = SpecWriter.write(dek, new byte[] {1, 1, 1, 1}, "ds-tamper", CHUNK, plain);
    byte[] b = SpecWriter.write(dek, new byte[] {2, 2, 2, 2}, "ds-tamper", CHUNK, plain);
    byte[] mixed = a.clone();
    System.arraycopy(b, chunkOffset(2), mixed, chunkOffset(2), CHUNK + 16);
    refused(mixed, dek, "chunk 2 of 5: authentication failed");
    byte[] c = SpecWriter.write(dek, new byte[] {1, 1, 1, 1}, "ds-other", CHUNK, plain);
    int delta = "ds-other".length() - "ds-tamper".length();
    byte[] mixedId = a.clone();
    System.arraycopy(c, chunkOffset(1) + delta, mixedId, chunkOffset(1), CHUNK + 16);
    refused(mixedId, dek, "chunk 1 of 5: authentication failed");
  }

  @Test
  void wrongKey() throws Exception {
    byte[] other = dek.clone();
    other[0] ^= 1;
    refused(stored, other, "wrong key");
  }

  @Test
  void headerFieldRefusals() throws Exception {
    refused(Arrays.copyOf(stored, 20), dek, "shorter than its fixed fields");
    refused(Arrays.copyOf(stored, headerSize - 1), dek, "shorter than its fields");
    byte[] magic = stored.clone();
    magic[0] = 'X';
    refused(rehash(magic), dek, "wrong magic");
    refused(rehash(withShort(stored, 8, 2)), dek, "unsupported version 2");
    refused(rehash(withShort(stored, 10, 2)), dek, "unsupported aead 2");
    refused(rehash(withInt(stored, 12, 1023)), dek, "chunk_size 1023 out of range");
    refused(rehash(withInt(stored, 12, (64 << 20) + 1)), dek, "out of range");
    refused(withShort(stored, 36, 1025), dek, "dataset_id_len 1025 over 1024");
    refused(withShort(stored, 36, 8), dek, "header_hash does not match");
  }

  private static byte[] withShort(byte[] bytes, int at, int value) {
    byte[] copy = bytes.clone();
    ByteBuffer.wrap(copy).putShort(at, (short) value);
    return copy;
  }

  private static byte[] withInt(byte[] bytes, int at, int value) {
    byte[] copy = bytes.clone();
    ByteBuffer.wrap(copy).putInt(at, value);
    return copy;
  }
}
