package org.cleanroom.spark;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * HPKE (RFC 9180), the recipient's side of one suite: mode base, DHKEM(X25519, HKDF-SHA256)
 * (0x0020), HKDF-SHA256 (0x0001), AES-256-GCM (0x0002), the project's default suite
 * (crypto/hpke.h); AES-128-GCM (0x0001) too, for the RFC's known answers. Written from the RFC; used by an executor to open the data keys the runtime
 * sealed to its attested key. Single-shot: one message per encapsulated key (sequence 0).
 */
final class Hpke {
  private static final byte[] KEM_SUITE = {'K', 'E', 'M', 0x00, 0x20};
  /** AEAD ids: AES-128-GCM (the RFC's vectors A.1) and AES-256-GCM (the project's suite). */
  static final int AES_128_GCM = 1;
  static final int AES_256_GCM = 2;

  private Hpke() {}

  /** A fresh X25519 key pair. */
  static KeyPair generate() throws GeneralSecurityException {
    return KeyPairGenerator.getInstance("X25519").generateKeyPair();
  }

  /** A key pair from its serialized halves (RFC 9180 known answers). */
  static KeyPair keyPair(byte[] privateKey, byte[] publicKey) throws GeneralSecurityException {
    PrivateKey priv = KeyFactory.getInstance("XDH")
        .generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.clone()));
    return new KeyPair(deserialize(publicKey), priv);
  }

  /** The 32-byte serialized public key (RFC 7748: the u-coordinate, little-endian). */
  static byte[] serialize(PublicKey key) {
    byte[] big = ((XECPublicKey) key).getU().toByteArray();
    byte[] out = new byte[32];
    for (int i = 0; i < 32 && i < big.length; i++) {
      out[i] = big[big.length - 1 - i];
    }
    return out;
  }

  private static PublicKey deserialize(byte[] raw) throws GeneralSecurityException {
    if (raw.length != 32) {
      throw new GeneralSecurityException("hpke: an encapsulated key of " + raw.length + " bytes");
    }
    byte[] big = new byte[33];  // a leading 0: positive
    for (int i = 0; i < 32; i++) {
      big[32 - i] = raw[i];
    }
    big[1] &= 0x7f;  // RFC 7748 section 5: the top bit of the last byte is ignored
    return KeyFactory.getInstance("XDH")
        .generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(big)));
  }

  /**
   * Opens {@code ciphertext} (ciphertext || tag) sealed to {@code recipient} with {@code enc},
   * {@code info} and {@code aad}. GeneralSecurityException when it does not authenticate.
   */
  static byte[] open(KeyPair recipient, byte[] enc, byte[] info, byte[] aad, byte[] ciphertext)
      throws GeneralSecurityException {
    return open(AES_256_GCM, recipient, enc, info, aad, ciphertext);
  }

  static byte[] open(int aead, KeyPair recipient, byte[] enc, byte[] info, byte[] aad,
      byte[] ciphertext) throws GeneralSecurityException {
    if (aead != AES_128_GCM && aead != AES_256_GCM) {
      throw new GeneralSecurityException("hpke: AEAD " + aead + " is not implemented here");
    }
    byte[] suite = {'H', 'P', 'K', 'E', 0x00, 0x20, 0x00, 0x01, 0x00, (byte) aead};
    // Decap (section 4.1): dh = DH(skR, pkE); kem_context = enc || pkRm.
    KeyAgreement agreement = KeyAgreement.getInstance("XDH");
    agreement.init(recipient.getPrivate());
    agreement.doPhase(deserialize(enc), true);
    byte[] dh = agreement.generateSecret();
    byte[] kemContext = concat(enc, serialize(recipient.getPublic()));
    byte[] eaePrk = labeledExtract(KEM_SUITE, new byte[0], "eae_prk", dh);
    byte[] shared = labeledExpand(KEM_SUITE, eaePrk, "shared_secret", kemContext, 32);
    Arrays.fill(dh, (byte) 0);
    // KeySchedule (section 5.1), mode base: no psk.
    byte[] pskIdHash = labeledExtract(suite, new byte[0], "psk_id_hash", new byte[0]);
    byte[] infoHash = labeledExtract(suite, new byte[0], "info_hash", info);
    byte[] context = concat(new byte[] {0x00}, concat(pskIdHash, infoHash));
    byte[] secret = labeledExtract(suite, shared, "secret", new byte[0]);
    byte[] key = labeledExpand(suite, secret, "key", context, aead == AES_128_GCM ? 16 : 32);
    byte[] nonce = labeledExpand(suite, secret, "base_nonce", context, 12);
    Arrays.fill(shared, (byte) 0);
    Arrays.fill(secret, (byte) 0);
    try {
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      gcm.updateAAD(aad);
      return gcm.doFinal(ciphertext);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] labeledExtract(byte[] suite, byte[] salt, String label, byte[] ikm)
      throws GeneralSecurityException {
    byte[] input = concat(concat("HPKE-v1".getBytes(StandardCharsets.US_ASCII), suite),
        concat(label.getBytes(StandardCharsets.US_ASCII), ikm));
    // HKDF-Extract: an empty salt is HashLen zero bytes (RFC 5869 section 2.2).
    return hmac(salt.length == 0 ? new byte[32] : salt, input);
  }

  private static byte[] labeledExpand(byte[] suite, byte[] prk, String label, byte[] info, int length)
      throws GeneralSecurityException {
    byte[] labeled = concat(new byte[] {(byte) (length >> 8), (byte) length},
        concat(concat("HPKE-v1".getBytes(StandardCharsets.US_ASCII), suite),
            concat(label.getBytes(StandardCharsets.US_ASCII), info)));
    // HKDF-Expand (RFC 5869 section 2.3).
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] previous = new byte[0];
    for (int i = 1; out.size() < length; i++) {
      previous = hmac(prk, concat(concat(previous, labeled), new byte[] {(byte) i}));
      out.write(previous, 0, previous.length);
    }
    return Arrays.copyOf(out.toByteArray(), length);
  }

  private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
