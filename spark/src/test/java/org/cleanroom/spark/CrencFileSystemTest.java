package org.cleanroom.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The crenc:// FileSystem through Hadoop's own client, over containers from `cleanroom encrypt`. */
class CrencFileSystemTest {
  @TempDir Path dir;

  @AfterEach
  void forgetKeys() throws IOException {
    DataKeys.clear();
    FileSystem.closeAll();
  }

  private byte[] plain(int size) {
    byte[] plain = new byte[size];
    new Random(size).nextBytes(plain);
    return plain;
  }

  private static Configuration conf() {
    Configuration conf = new Configuration(false);
    conf.setBoolean("fs.crenc.impl.disable.cache", true);
    return conf;
  }

  private static org.apache.hadoop.fs.Path crenc(Path file) {
    return new org.apache.hadoop.fs.Path("crenc://" + file.toAbsolutePath());
  }

  @Test
  void seeksAndReadsThePlaintext() throws Exception {
    byte[] plain = plain(10_000);
    Files.write(dir.resolve("p"), plain);
    Path containers = Files.createDirectory(dir.resolve("containers"));
    byte[] dek = Cleanroom.encrypt(dir.resolve("p"), containers.resolve("data.csv"), 1024, "ds");
    Files.delete(containers.resolve("data.csv.dek"));
    DataKeys.put(dek);
    FileSystem fs = FileSystem.get(URI.create("crenc:///"), conf());
    assertTrue(fs instanceof CrencFileSystem, "found through META-INF/services");
    FileStatus status = fs.getFileStatus(crenc(containers.resolve("data.csv")));
    assertEquals(plain.length, status.getLen());
    assertEquals("crenc", status.getPath().toUri().getScheme());
    FileStatus[] listed = fs.listStatus(crenc(containers));
    assertEquals(1, listed.length);
    assertEquals(plain.length, listed[0].getLen());
    assertEquals("data.csv", listed[0].getPath().getName());
    // A file that is not a container fails the listing: nothing is read as if it were one.
    Files.write(containers.resolve("stray"), plain(100));
    IOException stray = assertThrows(IOException.class, () -> fs.listStatus(crenc(containers)));
    assertTrue(stray.getMessage().contains("wrong magic"), stray.getMessage());
    try (FSDataInputStream in = fs.open(crenc(containers.resolve("data.csv")))) {
      Random random = new Random(3);
      for (int round = 0; round < 200; round++) {
        int at = random.nextInt(plain.length);
        int length = Math.min(plain.length - at, 1 + random.nextInt(3000));
        byte[] got = new byte[length];
        in.seek(at);
        in.readFully(got);
        assertArrayEquals(Arrays.copyOfRange(plain, at, at + length), got, "at " + at);
        assertEquals(at + length, in.getPos());
        // Positional reads leave the cursor alone.
        int other = random.nextInt(plain.length - 10);
        byte[] ten = new byte[10];
        in.readFully(other, ten, 0, 10);
        assertArrayEquals(Arrays.copyOfRange(plain, other, other + 10), ten);
        assertEquals(at + length, in.getPos());
      }
      in.seek(plain.length);
      assertEquals(-1, in.read());
      assertThrows(java.io.EOFException.class, () -> in.seek(plain.length + 1));
    }
  }

  @Test
  void aTamperedChunkFailsTheReadThatReachesIt() throws Exception {
    byte[] plain = plain(5000);
    Files.write(dir.resolve("p"), plain);
    Path stored = dir.resolve("t.csv");
    byte[] dek = Cleanroom.encrypt(dir.resolve("p"), stored, 1024, "ds");
    byte[] bytes = Files.readAllBytes(stored);
    bytes[72 + 2 * 1040 + 5] ^= 1;
    Files.write(stored, bytes);
    DataKeys.put(dek);
    FileSystem fs = FileSystem.get(URI.create("crenc:///"), conf());
    try (FSDataInputStream in = fs.open(crenc(stored))) {
      byte[] first = new byte[2048];
      in.readFully(first);
      assertArrayEquals(Arrays.copyOf(plain, 2048), first);
      IOException e = assertThrows(IOException.class, () -> in.readFully(new byte[10]));
      assertEquals("chunk 2 of 5: authentication failed", e.getMessage());
    }
  }

  @Test
  void noKeyNoRead() throws Exception {
    Files.write(dir.resolve("p"), plain(100));
    Cleanroom.encrypt(dir.resolve("p"), dir.resolve("k.csv"), 1024, "ds");
    FileSystem fs = FileSystem.get(URI.create("crenc:///"), conf());
    IOException e = assertThrows(IOException.class, () -> fs.open(crenc(dir.resolve("k.csv"))));
    assertTrue(e.getMessage().startsWith("data key: none delivered to this process"),
        e.getMessage());
  }

  @Test
  void writesAreRefused() throws Exception {
    FileSystem fs = FileSystem.get(URI.create("crenc:///"), conf());
    IOException e = assertThrows(IOException.class, () -> fs.create(crenc(dir.resolve("new"))));
    assertTrue(e.getMessage().contains("read-only"));
    assertThrows(IOException.class, () -> fs.delete(crenc(dir), true));
  }

  @Test
  void keyFetchedOnceFromTheLoopbackTestServer() throws Exception {
    byte[] plain = plain(3000);
    Files.write(dir.resolve("p"), plain);
    byte[] dek = Cleanroom.encrypt(dir.resolve("p"), dir.resolve("s.csv"), 1024, "ds");
    String keyId = HexFormat.of().formatHex(ContainerReader.keyId(dek));
    AtomicInteger served = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress())) {
      Thread thread = new Thread(() -> {
        try {
          while (true) {
            try (Socket client = server.accept()) {
              InputStream in = client.getInputStream();
              byte[] line = in.readNBytes(33);
              String asked = new String(line, 0, 32, StandardCharsets.US_ASCII);
              String reply = asked.equals(keyId) ? HexFormat.of().formatHex(dek) : "none";
              client.getOutputStream().write((reply + "\n").getBytes(StandardCharsets.US_ASCII));
              served.incrementAndGet();
            }
          }
        } catch (IOException closed) {
          // The server socket closed: the test is over.
        }
      });
      thread.start();
      Configuration conf = conf();
      conf.set(DataKeys.TEST_KEY_SERVER, "127.0.0.1:" + server.getLocalPort());
      FileSystem fs = FileSystem.get(URI.create("crenc:///"), conf);
      for (int i = 0; i < 3; i++) {
        try (FSDataInputStream in = fs.open(crenc(dir.resolve("s.csv")))) {
          byte[] got = new byte[plain.length];
          in.readFully(got);
          assertArrayEquals(plain, got);
        }
      }
      assertEquals(1, served.get(), "fetched once, then held in memory");
      // A container whose key the server does not have.
      Files.write(dir.resolve("q"), plain(10));
      Cleanroom.encrypt(dir.resolve("q"), dir.resolve("other.csv"), 1024, "ds");
      IOException e = assertThrows(IOException.class, () -> fs.open(crenc(dir.resolve("other.csv"))));
      assertTrue(e.getMessage().contains("has no key"), e.getMessage());
      conf.set(DataKeys.TEST_KEY_SERVER, "10.0.0.1:" + server.getLocalPort());
      FileSystem remote = FileSystem.get(URI.create("crenc:///"), conf);
      e = assertThrows(IOException.class, () -> remote.open(crenc(dir.resolve("other.csv"))));
      assertTrue(e.getMessage().contains("must be 127.0.0.1"), e.getMessage());
    }
  }
}
