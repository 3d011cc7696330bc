package org.cleanroom.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The data keys this JVM (a Spark executor or driver) holds, in memory only, by key_id. Keys
 * never go to disk, to the Hadoop configuration or to logs.
 *
 * <p>Delivery: a key is put here by code in the same JVM ({@link #put}: the driver, which the
 * runtime starts inside its boundary); an attested executor ({@link AttestationPlugin}) asks the
 * driver for the key sealed to its own X25519 key and opens it (HPKE); otherwise, the TEST HOOK,
 * insecure and labelled so (never used by the runtime): fetched once per key_id from a key server
 * on loopback named by the Hadoop setting {@code fs.crenc.test-key-server} (host:port, host
 * 127.0.0.1 only) that the driver of {@code cleanroom sql --engine spark} runs.
 */
public final class DataKeys {
  /** Hadoop setting: the loopback test key server, host:port. */
  public static final String TEST_KEY_SERVER = "fs.crenc.test-key-server";
  private static final int TIMEOUT_MILLIS = 10_000;
  private static final ConcurrentHashMap<String, byte[]> KEYS = new ConcurrentHashMap<>();

  /** How an attested executor asks the driver (the plugin channel). */
  interface Asker {
    String ask(String message) throws IOException;
  }

  private static volatile Attested attested;

  private record Attested(String executor, KeyPair keys, Asker asker) {}

  private DataKeys() {}

  /** This JVM is the attested executor {@code executor}: keys come sealed to {@code keys}. */
  static void attested(String executor, KeyPair keys, Asker asker) {
    attested = new Attested(executor, keys, asker);
  }

  /** Holds {@code dek} (copied) under its key_id. The caller wipes its own copy. */
  public static void put(byte[] dek) {
    if (dek.length != 32) {
      throw new IllegalArgumentException("data key: AES-256 needs 32 bytes");
    }
    KEYS.put(HexFormat.of().formatHex(ContainerReader.keyId(dek)), dek.clone());
  }

  /** Wipes and forgets every key held. */
  public static void clear() {
    KEYS.values().forEach(k -> Arrays.fill(k, (byte) 0));
    KEYS.clear();
  }

  /** A copy of the key named by {@code keyId} (the caller wipes it), fetched if not held. */
  static byte[] get(byte[] keyId, String testKeyServer) throws IOException {
    String id = HexFormat.of().formatHex(keyId);
    byte[] held = KEYS.get(id);
    Attested self = attested;
    if (held == null && (self != null || testKeyServer != null)) {
      byte[] fetched = self != null ? unseal(self, id) : fetch(id, testKeyServer);
      if (!Arrays.equals(ContainerReader.keyId(fetched), keyId)) {
        Arrays.fill(fetched, (byte) 0);
        throw new ContainerException("data key: the key delivered has another key_id");
      }
      held = KEYS.putIfAbsent(id, fetched);
      if (held == null) {
        held = fetched;
      } else {
        // Another task of this JVM fetched it first: keep one copy.
        Arrays.fill(fetched, (byte) 0);
      }
    }
    if (held == null) {
      throw new ContainerException("data key: none delivered to this process for key_id " + id);
    }
    return held.clone();
  }

  // The key sealed to this executor by the runtime, from the driver: none when this executor's
  // evidence was not verified (or it joined after the keys were sealed).
  private static byte[] unseal(Attested self, String id) throws IOException {
    String[] sealed = ExecutorKeyRegistry.sealedFields(self.asker().ask("KEY\n" + self.executor() + "\n" + id));
    if (sealed.length != 2) {
      throw new ContainerException(
          "data key: none released to this executor (not attested) for key_id " + id);
    }
    try {
      byte[] aad = (id + "/" + self.executor()).getBytes(StandardCharsets.UTF_8);
      return Hpke.open(self.keys(), HexFormat.of().parseHex(sealed[0]),
          AttestationPlugin.SEAL_INFO, aad, HexFormat.of().parseHex(sealed[1]));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new ContainerException("data key: the sealed key does not open for this executor");
    }
  }

  // One line each way: "<32 hex key_id>\n", then "<64 hex key>\n" or "none\n".
  private static byte[] fetch(String id, String server) throws IOException {
    int colon = server.lastIndexOf(':');
    if (colon < 0 || !server.substring(0, colon).equals("127.0.0.1")) {
      throw new ContainerException("data key: " + TEST_KEY_SERVER + " must be 127.0.0.1:PORT");
    }
    int port;
    try {
      port = Integer.parseInt(server.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ContainerException("data key: " + TEST_KEY_SERVER + " has no valid port");
    }
    byte[] line = new byte[66];
    int have = 0;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      OutputStream out = socket.getOutputStream();
      out.write((id + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      int n;
      while (have < line.length && (n = in.read(line, have, line.length - have)) > 0) {
        have += n;
      }
    }
    try {
      if (have != 65 || line[64] != '\n') {
        throw new ContainerException("data key: the test key server has no key for key_id " + id);
      }
      try {
        return HexFormat.of().parseHex(new String(line, 0, 64, StandardCharsets.US_ASCII));
      } catch (IllegalArgumentException e) {
        throw new ContainerException("data key: the test key server sent a malformed key");
      }
    } finally {
      Arrays.fill(line, (byte) 0);
    }
  }
}
