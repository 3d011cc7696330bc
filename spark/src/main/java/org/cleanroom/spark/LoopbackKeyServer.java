package org.cleanroom.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The server side of {@link DataKeys}' TEST HOOK, insecure and labelled so: serves the keys this
 * JVM holds, by key_id, to executors on 127.0.0.1 ("<32 hex key_id>\n" in, "<64 hex key>\n" or
 * "none\n" out). Anyone on the machine who has read a container's header can ask; the attested
 * delivery replaces it.
 */
final class LoopbackKeyServer implements AutoCloseable {
  private final ServerSocket server;

  private LoopbackKeyServer(ServerSocket server) {
    this.server = server;
  }

  static LoopbackKeyServer start() throws IOException {
    LoopbackKeyServer s =
        new LoopbackKeyServer(new ServerSocket(0, 64, InetAddress.getLoopbackAddress()));
    Thread thread = new Thread(s::serve, "cleanroom-test-key-server");
    thread.setDaemon(true);
    thread.start();
    return s;
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket client = server.accept()) {
        client.setSoTimeout(10_000);
        byte[] line = new byte[33];
        InputStream in = client.getInputStream();
        int have = 0;
        int n;
        while (have < line.length && (n = in.read(line, have, line.length - have)) > 0) {
          have += n;
        }
        byte[] answer = "none\n".getBytes(StandardCharsets.US_ASCII);
        if (have == 33 && line[32] == '\n') {
          try {
            byte[] id = HexFormat.of().parseHex(new String(line, 0, 32, StandardCharsets.US_ASCII));
            byte[] key = DataKeys.get(id, null);
            answer = (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII);
            Arrays.fill(key, (byte) 0);
          } catch (IllegalArgumentException | IOException e) {
            // Unknown key_id or malformed request: "none".
          }
        }
        OutputStream out = client.getOutputStream();
        out.write(answer);
        out.flush();
        Arrays.fill(answer, (byte) 0);
      } catch (IOException e) {
        // A client that went away, or the server closed.
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
