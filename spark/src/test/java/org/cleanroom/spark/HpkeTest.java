package org.cleanroom.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** HPKE's recipient side against RFC 9180 Appendix A.1 (DHKEM(X25519), mode base). */
class HpkeTest {
  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  // RFC 9180 A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode, sequence 0.
  private static final byte[] SK_R = hex("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8");
  private static final byte[] PK_R = hex("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d");
  private static final byte[] ENC = hex("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431");
  private static final byte[] INFO = hex("4f6465206f6e2061204772656369616e2055726e");
  private static final byte[] AAD = hex("436f756e742d30");
  private static final byte[] CT = hex("f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a");
  private static final byte[] PT = hex("4265617574792069732074727574682c20747275746820626561757479");

  @Test
  void opensTheRfcVector() throws Exception {
    KeyPair recipient = Hpke.keyPair(SK_R, PK_R);
    assertArrayEquals(PK_R, Hpke.serialize(recipient.getPublic()));
    assertArrayEquals(PT, Hpke.open(Hpke.AES_128_GCM, recipient, ENC, INFO, AAD, CT));
  }

  @Test
  void refusesWhatDoesNotAuthenticate() throws Exception {
    KeyPair recipient = Hpke.keyPair(SK_R, PK_R);
    byte[] tampered = CT.clone();
    tampered[3] ^= 1;
    assertThrows(GeneralSecurityException.class,
        () -> Hpke.open(Hpke.AES_128_GCM, recipient, ENC, INFO, AAD, tampered));
    assertThrows(GeneralSecurityException.class,
        () -> Hpke.open(Hpke.AES_128_GCM, recipient, ENC, INFO, hex("00"), CT));
    // Another recipient's key: the KEM's shared secret differs.
    assertThrows(GeneralSecurityException.class,
        () -> Hpke.open(Hpke.AES_128_GCM, Hpke.generate(), ENC, INFO, AAD, CT));
  }
}
