package org.cleanroom.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark driver of cleanroom's Spark engine, started by the {@code cleanroom} binary with
 * spark-submit ({@code --class org.cleanroom.spark.SqlDriver}). It runs SQL that the binary's
 * front end emitted from a checked plan (sql/emitter/spark_emitter.h): there is no privacy logic
 * here, and no SQL from anyone else reaches it.
 *
 * <p>Requests come on standard input, responses go to standard output (everything else the JVM
 * prints is sent to standard error). A request is a frame: a 4-byte big-endian length, then that
 * many bytes of UTF-8 text whose first line is the verb:
 *
 * <ul>
 *   <li>{@code TABLE\nname\nformat\npath\nkey hex\nschema DDL}: the encrypted container at
 *       {@code path} read through crenc:// with Spark's reader of {@code format} as the temp view
 *       {@code name}; the data key is held in this JVM's memory ({@link DataKeys}).
 *   <li>{@code EXECUTE\nsql}: runs a statement (a cached table, a temp view).
 *   <li>{@code COUNTS\nsql}: the first row of a query of BIGINT counts.
 *   <li>{@code ROWS\nsql}: every row of a query whose columns are all strings.
 *   <li>{@code EXECUTORS\ncount}: with attested executors, waits (at most 5 minutes) for
 *       {@code count} executors' reports and returns them: the challenge (4-byte length, bytes),
 *       the count (4 bytes), then per executor its id, X25519 public key (32 bytes) and evidence
 *       JSON (or "none: reason"), each as a 4-byte length and bytes.
 *   <li>{@code SEAL\nexecutor\nkey_id hex\nenc hex\nciphertext hex}: a data key the binary
 *       sealed (HPKE) to that verified executor, handed to it when it asks.
 *   <li>{@code RESET}: drops the cached tables and temp views of the checked programs run so far.
 *   <li>{@code CLOSE}: stops the session and exits.
 * </ul>
 *
 * <p>A response is a status byte ({@code 'O'} or {@code 'E'}), a 4-byte length and a payload:
 * for an error its text, which never holds a value of the data (only Spark's error condition or
 * the container's own message, which names no value); for COUNTS the counts as 8-byte integers;
 * for ROWS the column count, then per row a 1 and per cell a length (-1 for NULL) and its UTF-8
 * bytes, then a 0.
 *
 * <p>Executors of a standalone cluster get the data keys in one of two ways. Started with
 * {@code spark.cleanroom.attested=true} (the runtime does, with {@link AttestationPlugin}), only
 * from keys the binary sealed to each executor whose evidence it verified. Otherwise from a key
 * server on loopback that this driver runs from its memory: the {@link DataKeys} TEST HOOK,
 * insecure (any local process that reads a container's header may ask for its key) and labelled
 * so, for {@code cleanroom sql|sqllogictest --engine spark}.
 */
public final class SqlDriver {
  private static final int MAX_FRAME = 64 << 20;

  private final SparkSession spark;
  private final DataOutputStream out;

  private SqlDriver(SparkSession spark, DataOutputStream out) {
    this.spark = spark;
    this.out = out;
  }

  public static void main(String[] args) throws IOException {
    // The protocol owns standard output; anything else printed goes to standard error.
    DataOutputStream out = new DataOutputStream(
        new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
    DataInputStream in = new DataInputStream(new BufferedInputStream(System.in));
    LoopbackKeyServer keyServer = null;
    SparkSession.Builder builder = SparkSession.builder().appName("cleanroom")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.legacy.sizeOfNull", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.hadoop.fs.crenc.impl", CrencFileSystem.class.getName());
    // A checked program runs several small jobs (counts, group tables); Spark's 200 shuffle
    // partitions would make each of them hundreds of tasks. spark-submit --conf overrides.
    if (System.getProperty("spark.sql.shuffle.partitions") == null) {
      builder.config("spark.sql.shuffle.partitions", "8");
    }
    boolean attested = Boolean.getBoolean("spark.cleanroom.attested");
    if (!attested && !System.getProperty("spark.master", "").startsWith("local")) {
      keyServer = LoopbackKeyServer.start();
      builder.config("spark.hadoop." + DataKeys.TEST_KEY_SERVER, keyServer.address());
    }
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    SqlDriver driver = new SqlDriver(spark, out);
    try {
      driver.serve(in);
    } finally {
      DataKeys.clear();
      if (keyServer != null) {
        keyServer.close();
      }
      spark.stop();
    }
  }

  private void serve(DataInputStream in) throws IOException {
    while (true) {
      int length;
      try {
        length = in.readInt();
      } catch (EOFException e) {
        return;  // the binary went away
      }
      if (length < 0 || length > MAX_FRAME) {
        throw new IOException("driver: request frame of " + length + " bytes refused");
      }
      byte[] frame = new byte[length];
      in.readFully(frame);
      String request = new String(frame, StandardCharsets.UTF_8);
      Arrays.fill(frame, (byte) 0);  // a TABLE request holds a key
      int newline = request.indexOf('\n');
      String verb = newline < 0 ? request : request.substring(0, newline);
      String body = newline < 0 ? "" : request.substring(newline + 1);
      if (verb.equals("CLOSE")) {
        respond('O', new byte[0]);
        return;
      }
      try {
        respond('O', handle(verb, body));
      } catch (Exception e) {
        respond('E', describe(e).getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private byte[] handle(String verb, String body) throws IOException {
    switch (verb) {
      case "TABLE":
        return table(body.split("\n", 5));
      case "EXECUTE":
        spark.sql(body).collectAsList();
        return new byte[0];
      case "COUNTS":
        return counts(body);
      case "ROWS":
        return rows(body);
      case "EXECUTORS":
        return executors(Integer.parseInt(body.trim()));
      case "SEAL": {
        String[] f = body.split("\n", 4);
        if (f.length != 4) {
          throw new IllegalArgumentException("driver: SEAL needs executor, key_id, enc, ciphertext");
        }
        ExecutorKeyRegistry.seal(f[0], f[1], f[2], f[3]);
        return new byte[0];
      }
      case "RESET":
        reset();
        return new byte[0];
      default:
        throw new IllegalArgumentException("driver: unknown request " + verb);
    }
  }

  private byte[] table(String[] fields) {
    if (fields.length != 5) {
      throw new IllegalArgumentException("driver: TABLE needs name, format, path, key, schema");
    }
    byte[] key = HexFormat.of().parseHex(fields[3]);
    try {
      DataKeys.put(key);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
    var reader = spark.read().format(fields[1]);
    if (!fields[4].isEmpty()) {
      reader = reader.schema(fields[4]);
    }
    if (fields[1].equals("csv")) {
      reader = reader.option("header", "true");
    }
    reader.load("crenc://" + fields[2]).createOrReplaceTempView(fields[0]);
    return new byte[0];
  }

  private byte[] counts(String sql) throws IOException {
    List<Row> rows = spark.sql(sql).collectAsList();
    if (rows.size() != 1) {
      throw new IllegalStateException("driver: a count query returned " + rows.size() + " rows");
    }
    Row row = rows.get(0);
    var bytes = new java.io.ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(bytes);
    for (int i = 0; i < row.length(); i++) {
      data.writeLong(row.isNullAt(i) ? 0 : ((Number) row.get(i)).longValue());
    }
    return bytes.toByteArray();
  }

  private byte[] rows(String sql) throws IOException {
    var result = spark.sql(sql);
    int columns = result.schema().length();
    var bytes = new java.io.ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(bytes);
    data.writeInt(columns);
    for (Row row : result.collectAsList()) {
      data.writeByte(1);
      for (int i = 0; i < columns; i++) {
        if (row.isNullAt(i)) {
          data.writeInt(-1);
        } else {
          byte[] cell = row.getString(i).getBytes(StandardCharsets.UTF_8);
          data.writeInt(cell.length);
          data.write(cell);
        }
      }
    }
    data.writeByte(0);
    return bytes.toByteArray();
  }

  private static byte[] executors(int count) throws IOException {
    List<ExecutorKeyRegistry.Report> reports;
    try {
      reports = ExecutorKeyRegistry.await(count, 300_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("driver: interrupted while waiting for executors");
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    var bytes = new java.io.ByteArrayOutputStream();
    DataOutputStream data = new DataOutputStream(bytes);
    byte[] challenge = ExecutorKeyRegistry.challenge();
    data.writeInt(challenge.length);
    data.write(challenge);
    data.writeInt(reports.size());
    for (ExecutorKeyRegistry.Report r : reports) {
      for (byte[] field : new byte[][] {r.executor().getBytes(StandardCharsets.UTF_8),
          HexFormat.of().parseHex(r.publicKey()), r.evidence().getBytes(StandardCharsets.UTF_8)}) {
        data.writeInt(field.length);
        data.write(field);
      }
    }
    return bytes.toByteArray();
  }

  // The checked programs' tables and views are named __cr<n>_...; the inputs stay.
  private void reset() {
    for (var table : spark.catalog().listTables().collectAsList()) {
      if (table.isTemporary() && table.name().startsWith("__cr")) {
        spark.catalog().uncacheTable(table.name());
        spark.catalog().dropTempView(table.name());
      }
    }
  }

  private void respond(char status, byte[] payload) throws IOException {
    out.writeByte(status);
    out.writeInt(payload.length);
    out.write(payload);
    out.flush();
  }

  // Error text leaves the clean room: Spark's messages can quote a value (a cast that failed),
  // so only the error's condition is kept, or a container's message (which names no value).
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ContainerException) {
        return "spark: " + t.getMessage();
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SparkThrowable s && s.getCondition() != null) {
        return "spark: the statement failed [" + s.getCondition() + "]";
      }
    }
    if (e instanceof IllegalArgumentException && e.getMessage() != null
        && e.getMessage().startsWith("driver: ")) {
      return e.getMessage();
    }
    return "spark: the statement failed (" + e.getClass().getSimpleName() + ")";
  }
}
