package org.cleanroom.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver's side of the executors' attestation ({@link AttestationPlugin}): the application's
 * challenge, the evidence each executor sent (one per executor id: a second is ignored), and the
 * data keys the runtime sealed to each verified executor, handed out by executor id and key_id.
 * A sealed key is useless to anyone but the executor whose private key it was sealed to, so the
 * registry holds no secret.
 */
final class ExecutorKeyRegistry {
  /** One executor's report: its id, X25519 public key (hex) and evidence JSON (or "none: why"). */
  record Report(String executor, String publicKey, String evidence) {}

  private static byte[] challenge;
  private static final Map<String, Report> REPORTS = new LinkedHashMap<>();
  private static final ConcurrentHashMap<String, String> SEALED = new ConcurrentHashMap<>();

  private ExecutorKeyRegistry() {}

  static synchronized void start(byte[] value) {
    challenge = value.clone();
    REPORTS.clear();
    SEALED.clear();
  }

  static synchronized byte[] challenge() {
    if (challenge == null) {
      throw new IllegalStateException("driver: the attestation plugin is not running");
    }
    return challenge.clone();
  }

  /** A message from an executor's plugin: EVIDENCE or KEY (see AttestationPlugin). */
  static Object receive(String message) {
    String[] fields = message.split("\n", 4);
    if (fields[0].equals("EVIDENCE") && fields.length == 4) {
      synchronized (ExecutorKeyRegistry.class) {
        REPORTS.putIfAbsent(fields[1], new Report(fields[1], fields[2], fields[3]));
        ExecutorKeyRegistry.class.notifyAll();
      }
      return "ok";
    }
    if (fields[0].equals("KEY") && fields.length == 3) {
      return SEALED.getOrDefault(fields[1] + "/" + fields[2], "none");
    }
    return "none";
  }

  /** The first {@code count} reports, waiting at most {@code millis} for them. */
  static synchronized List<Report> await(int count, long millis) throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (REPORTS.size() < count) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        throw new IllegalStateException("driver: " + REPORTS.size() + " of " + count
            + " executors presented evidence in time");
      }
      ExecutorKeyRegistry.class.wait(left);
    }
    return new ArrayList<>(REPORTS.values()).subList(0, count);
  }

  /** Holds a data key sealed to one executor: "enc hex" and "ciphertext hex". */
  static void seal(String executor, String keyId, String enc, String ciphertext) {
    SEALED.put(executor + "/" + keyId, enc + "\n" + ciphertext);
  }

  static String[] sealedFields(String answer) {
    String[] fields = answer.split("\n");
    return fields.length == 2 ? fields : new String[0];
  }

  static void clearSealed() {
    SEALED.clear();
  }
}
