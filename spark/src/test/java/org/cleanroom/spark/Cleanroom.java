package org.cleanroom.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test support: runs our C++ `cleanroom encrypt` (named by CLEANROOM_BINARY) and reads its files. */
final class Cleanroom {
  private Cleanroom() {}

  static String binary() {
    String binary = System.getenv("CLEANROOM_BINARY");
    assertNotNull(binary, "CLEANROOM_BINARY must name the cleanroom binary");
    assertTrue(new java.io.File(binary).canExecute(),
        "CLEANROOM_BINARY must name the cleanroom binary (spark/build.sh passes it on)");
    return binary;
  }

  /** Encrypts {@code plain} into {@code out} with a fresh key; returns the key. */
  static byte[] encrypt(Path plain, Path out, int chunkSize, String datasetId)
      throws IOException, InterruptedException {
    Path dek = out.resolveSibling(out.getFileName() + ".dek");
    Process p = new ProcessBuilder(binary(), "encrypt", "--in", plain.toString(), "--out",
        out.toString(), "--key-out", dek.toString(), "--chunk-size", Integer.toString(chunkSize),
        "--dataset-id", datasetId)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertEquals(0, p.waitFor(), "cleanroom encrypt failed");
    String json = Files.readString(dek, StandardCharsets.UTF_8);
    Matcher key = Pattern.compile("\"key\":\"([A-Za-z0-9+/=]+)\"").matcher(json);
    Matcher id = Pattern.compile("\"key_id\":\"([0-9a-f]{32})\"").matcher(json);
    if (!key.find() || !id.find()) {
      throw new IOException("unexpected .dek file");
    }
    byte[] dekBytes = Base64.getDecoder().decode(key.group(1));
    assertEquals(id.group(1), HexFormat.of().formatHex(ContainerReader.keyId(dekBytes)),
        "the .dek key_id is the spec's HMAC of the key");
    return dekBytes;
  }

  /** A local file as a container source. */
  static SeekableSource open(Path path) throws IOException {
    RandomAccessFile file = new RandomAccessFile(path.toFile(), "r");
    return new SeekableSource() {
      @Override
      public long size() throws IOException {
        return file.length();
      }

      @Override
      public void readFully(long position, byte[] buffer, int offset, int length)
          throws IOException {
        file.seek(position);
        file.readFully(buffer, offset, length);
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }
}
