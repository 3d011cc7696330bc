package org.cleanroom.spark;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Test support: a container written from docs/formats/encrypted-dataset.md with a chosen key and
 * nonce prefix, which `cleanroom encrypt` never allows (it always makes a fresh key). Used for
 * the one attack that needs two containers under one key.
 */
final class SpecWriter {
  private SpecWriter() {}

  static byte[] write(byte[] dek, byte[] noncePrefix, String datasetId, int chunkSize,
      byte[] plain) throws Exception {
    byte[] id = datasetId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer head = ByteBuffer.allocate(38 + id.length);
    head.put(ContainerHeader.MAGIC).putShort((short) 1).putShort((short) 1).putInt(chunkSize)
        .put(noncePrefix).put(ContainerReader.keyId(dek)).putShort((short) id.length).put(id);
    byte[] headerHash = ContainerHeader.sha256(head.array(), head.capacity());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(head.array());
    out.write(headerHash);
    long n = Math.max(1, (plain.length + chunkSize - 1) / chunkSize);
    for (long i = 0; i < n; i++) {
      int from = (int) (i * chunkSize);
      int to = (int) Math.min(plain.length, from + (long) chunkSize);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      byte[] nonce = ByteBuffer.allocate(12).put(noncePrefix).putLong(i).array();
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(dek, "AES"),
          new GCMParameterSpec(128, nonce));
      cipher.updateAAD(ByteBuffer.allocate(41).put(headerHash).putLong(i)
          .put((byte) (i == n - 1 ? 1 : 0)).array());
      out.write(cipher.doFinal(plain, from, to - from));
    }
    return out.toByteArray();
  }
}
