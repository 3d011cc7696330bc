package org.cleanroom.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Containers written by our C++ `cleanroom encrypt` decrypt here to the same bytes. */
class ContainerInteropTest {
  @TempDir Path dir;

  private void roundTrip(int size, int chunkSize, String datasetId) throws Exception {
    byte[] plain = new byte[size];
    new Random(size).nextBytes(plain);
    Path in = dir.resolve("plain-" + size);
    Path out = dir.resolve("enc-" + size + "-" + chunkSize);
    Files.write(in, plain);
    byte[] dek = Cleanroom.encrypt(in, out, chunkSize, datasetId);
    try (ContainerReader reader = new ContainerReader(Cleanroom.open(out), dek)) {
      assertEquals(datasetId, reader.header().datasetId());
      assertEquals(chunkSize, reader.header().chunkSize());
      assertEquals(size, reader.plaintextSize());
      assertEquals(Math.max(1, (size + chunkSize - 1) / chunkSize), reader.chunkCount());
      assertArrayEquals(plain, reader.readAll(), "size " + size);
      // Random access: chunks in reverse order, each the slice the spec puts there.
      for (long i = reader.chunkCount() - 1; i >= 0; i--) {
        int from = (int) (i * chunkSize);
        assertArrayEquals(Arrays.copyOfRange(plain, from, Math.min(size, from + chunkSize)),
            reader.readChunk(i), "chunk " + i);
      }
    }
  }

  @Test
  void sizesAroundChunkEdges() throws Exception {
    for (int size : new int[] {0, 1, 1023, 1024, 1025, 4096, 5000}) {
      roundTrip(size, 1024, "ds-edges");
    }
  }

  @Test
  void defaultChunkSizeAndLongDatasetId() throws Exception {
    roundTrip(600_000, 262_144, "x".repeat(1024));
    // `cleanroom encrypt` names an empty --dataset-id after the file; the spec writer test
    // below covers a dataset id of 0 bytes.
    roundTrip(70_000, 262_144, "d");
  }

  @Test
  void ourSpecWriterMatchesTheReaderToo() throws Exception {
    byte[] dek = new byte[32];
    new Random(1).nextBytes(dek);
    byte[] plain = new byte[3000];
    new Random(2).nextBytes(plain);
    Path file = dir.resolve("spec.enc");
    Files.write(file, SpecWriter.write(dek, new byte[] {1, 2, 3, 4}, "", 1024, plain));
    try (ContainerReader reader = new ContainerReader(Cleanroom.open(file), dek)) {
      assertEquals("", reader.header().datasetId());
      assertEquals(70, reader.header().size());
      assertArrayEquals(plain, reader.readAll());
      assertTrue(reader.chunkCount() == 3);
    }
  }
}
