package org.cleanroom.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * Keys only to attested executors (spark.plugins=org.cleanroom.spark.AttestationPlugin, set by
 * the runtime when it starts the driver). Over Spark's own plugin channel:
 *
 * <ol>
 *   <li>The driver's side draws a fresh 32-byte challenge for the application and hands it to
 *       every executor in the plugin's start-up settings.
 *   <li>Each executor makes an X25519 key pair and evidence whose report_data is
 *       SHA-512("cleanroom.spark.executor.v1" || 0x00 || challenge || public key) and whose
 *       measurement is the Spark runtime's ({@code cleanroom runtime measure --engine spark} over
 *       this machine's files), and sends both to the driver ({@link ExecutorKeyRegistry}).
 *   <li>The runtime (the {@code cleanroom} binary, over the driver's pipe) verifies every
 *       executor's evidence with the attestation module's verifier and seals each data key to
 *       each verified executor's key (HPKE); one executor whose evidence does not verify and no
 *       key goes to any.
 *   <li>An executor asks the driver for the sealed key of a container when it first reads one
 *       and opens it with its private key ({@link DataKeys}); an executor that was not verified
 *       has nothing to ask for, and its reads fail.
 * </ol>
 *
 * <p>Evidence here is the SIMULATED kind only (INSECURE, for development and CI: the worker's
 * platform key, named by the worker's environment {@code CLEANROOM_EXECUTOR_PLATFORM}, signs
 * the report through {@code $CLEANROOM_BINARY runtime simulate-evidence}). SEV-SNP executors
 * (the report from the guest device) are not built: docs/deployment.md.
 */
public final class AttestationPlugin implements SparkPlugin {
  /** Domain separation of an executor's report_data. */
  static final String REPORT_LABEL = "cleanroom.spark.executor.v1";
  /** HPKE info of a data key sealed to an executor. */
  static final byte[] SEAL_INFO =
      "cleanroom.spark.executor-key.v1".getBytes(StandardCharsets.US_ASCII);
  private static final int TOOL_TIMEOUT_SECONDS = 300;

  @Override
  public DriverPlugin driverPlugin() {
    return new DriverSide();
  }

  @Override
  public ExecutorPlugin executorPlugin() {
    return new ExecutorSide();
  }

  /** SHA-512(label || 0x00 || challenge || public key): what the executor's evidence binds. */
  static byte[] reportData(byte[] challenge, byte[] publicKey) throws GeneralSecurityException {
    MessageDigest sha = MessageDigest.getInstance("SHA-512");
    sha.update(REPORT_LABEL.getBytes(StandardCharsets.US_ASCII));
    sha.update((byte) 0);
    sha.update(challenge);
    sha.update(publicKey);
    return sha.digest();
  }

  static final class DriverSide implements DriverPlugin {
    @Override
    public Map<String, String> init(SparkContext sc, PluginContext context) {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      ExecutorKeyRegistry.start(challenge);
      return Map.of("challenge", HexFormat.of().formatHex(challenge));
    }

    @Override
    public Object receive(Object message) {
      return ExecutorKeyRegistry.receive(String.valueOf(message));
    }
  }

  static final class ExecutorSide implements ExecutorPlugin {
    @Override
    public void init(PluginContext context, Map<String, String> extraConf) {
      String id = context.executorID();
      String evidence;
      KeyPair keys;
      try {
        keys = Hpke.generate();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("executor attestation: no X25519", e);
      }
      byte[] publicKey = Hpke.serialize(keys.getPublic());
      try {
        byte[] challenge = HexFormat.of().parseHex(extraConf.getOrDefault("challenge", ""));
        evidence = produceEvidence(reportData(challenge, publicKey));
      } catch (Exception e) {
        // No evidence: the executor says why (no value of any data is involved); the runtime
        // refuses it and releases no key.
        evidence = "none: " + e.getMessage();
      }
      try {
        context.send(String.join("\n", "EVIDENCE", id, HexFormat.of().formatHex(publicKey),
            evidence));
      } catch (IOException e) {
        throw new IllegalStateException("executor attestation: cannot reach the driver", e);
      }
      DataKeys.attested(id, keys, message -> {
        try {
          return String.valueOf(context.ask(message));
        } catch (Exception e) {
          throw new IOException("data key: the driver did not answer", e);
        }
      });
    }

    // Simulated evidence from this machine's platform key (the worker's environment), through
    // the cleanroom binary: the measurement over this machine's binary, libduckdb, our jar and
    // the Spark distribution, then the report signed with report_data.
    private static String produceEvidence(byte[] reportData) throws IOException, InterruptedException {
      String binary = System.getenv("CLEANROOM_BINARY");
      String platform = System.getenv("CLEANROOM_EXECUTOR_PLATFORM");
      if (binary == null || binary.isEmpty() || platform == null || platform.isEmpty()) {
        throw new IOException("this worker has no CLEANROOM_BINARY and CLEANROOM_EXECUTOR_PLATFORM");
      }
      String jar;
      try {
        jar = Path.of(AttestationPlugin.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI()).toString();
      } catch (Exception e) {
        throw new IOException("cannot locate the cleanroom-spark jar");
      }
      String measurement = run(List.of(binary, "runtime", "measure", "--engine", "spark",
          "--spark-jar", jar)).trim();
      Path out = Files.createTempFile("cleanroom-evidence", ".json");
      try {
        run(List.of(binary, "runtime", "simulate-evidence", "--platform", platform,
            "--measurement", measurement, "--report-data", HexFormat.of().formatHex(reportData),
            "--out", out.toString()));
        return Files.readString(out).replace('\n', ' ');
      } finally {
        Files.deleteIfExists(out);
      }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] output = p.getInputStream().readAllBytes();
      if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("cleanroom " + command.get(1) + " " + command.get(2) + " failed");
      }
      return new String(output, StandardCharsets.UTF_8);
    }
  }
}
