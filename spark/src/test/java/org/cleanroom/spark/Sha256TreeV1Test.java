package org.cleanroom.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** sha256-tree-v1: the spec's known answers, and streaming in any slices equals one pass. */
class Sha256TreeV1Test {
  @Test
  void knownAnswersFromTheSpec() {
    assertEquals("e0765613125e6a59cff2330106ca5171a85fc29387a0169b916506593adf5b26",
        Sha256TreeV1.hex(new byte[0]));
    assertEquals("88269c680c6426fc2c57ec193d6c7be94bd564170c38bc917818ed1662a88909",
        Sha256TreeV1.hex("abc".getBytes(StandardCharsets.US_ASCII)));
    byte[] mod251 = new byte[200000];
    for (int i = 0; i < mod251.length; i++) {
      mod251[i] = (byte) (i % 251);
    }
    assertEquals("dc3eb3f996635e473657f35601acd57ed98c1a9056f1c6f3f5a32e76dfe76fc0",
        Sha256TreeV1.hex(mod251));
  }

  @Test
  void slicesAtEveryLeafEdgeGiveTheSameRoot() {
    byte[] data = new byte[3 * Sha256TreeV1.LEAF + 17];
    new Random(7).nextBytes(data);
    int[] lengths = {0, 1, Sha256TreeV1.LEAF - 1, Sha256TreeV1.LEAF, Sha256TreeV1.LEAF + 1,
        2 * Sha256TreeV1.LEAF, data.length};
    for (int length : lengths) {
      byte[] prefix = java.util.Arrays.copyOf(data, length);
      String whole = Sha256TreeV1.hex(prefix);
      for (int slice : new int[] {1, 7, 4096, Sha256TreeV1.LEAF, Sha256TreeV1.LEAF + 3}) {
        Sha256TreeV1 tree = new Sha256TreeV1();
        for (int at = 0; at < length; at += slice) {
          tree.update(prefix, at, Math.min(slice, length - at));
        }
        assertEquals(whole, java.util.HexFormat.of().formatHex(tree.digest()),
            "length " + length + " slice " + slice);
      }
    }
    // A leaf-aligned input is not the same as one with an empty leaf after it.
    assertNotEquals(Sha256TreeV1.hex(new byte[Sha256TreeV1.LEAF]),
        Sha256TreeV1.hex(new byte[Sha256TreeV1.LEAF + 1]));
  }

  @Test
  void plainSha256IsNotTheTreeValue() throws Exception {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    byte[] plain = java.security.MessageDigest.getInstance("SHA-256").digest(abc);
    Sha256TreeV1 tree = new Sha256TreeV1();
    tree.update(abc, 0, 3);
    byte[] root = tree.digest();
    assertEquals(32, root.length);
    assertNotEquals(java.util.HexFormat.of().formatHex(plain),
        java.util.HexFormat.of().formatHex(root));
    assertArrayEquals(root, java.util.HexFormat.of().parseHex(Sha256TreeV1.hex(abc)));
  }
}
