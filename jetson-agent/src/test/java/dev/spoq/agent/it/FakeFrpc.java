package dev.spoq.agent.it;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stand-in for frpc (not installable here): {@code -c <file>} like frpc, records each start in
 * {@code $FAKE_FRPC_LOG}, serves frpc's admin {@code /api/status} on the config's {@code
 * webServer.port} with the proxy "running", and exits with code 1 after {@code
 * $FAKE_FRPC_EXIT_AFTER_MS} when set (a crashing frpc).
 */
public final class FakeFrpc {

  private FakeFrpc() {}

  public static void main(String[] args) throws Exception {
    Path config = Path.of(args[1]);
    String text = Files.readString(config);
    String log = System.getenv("FAKE_FRPC_LOG");
    if (log != null) {
      Files.writeString(
          Path.of(log),
          Instant.now().toEpochMilli()
              + " "
              + ProcessHandle.current().pid()
              + " "
              + firstLine(text)
              + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    }
    String exitAfter = System.getenv("FAKE_FRPC_EXIT_AFTER_MS");
    if (exitAfter != null) {
      Thread.sleep(Long.parseLong(exitAfter));
      System.exit(1);
    }
    Matcher m = Pattern.compile("webServer\\.port\\s*=\\s*(\\d+)").matcher(text);
    int port = m.find() ? Integer.parseInt(m.group(1)) : 7400;
    Matcher name = Pattern.compile("name\\s*=\\s*\"([^\"]+)\"").matcher(text);
    String proxy = name.find() ? name.group(1) : "spoq";
    Matcher user = Pattern.compile("webServer\\.user\\s*=\\s*\"([^\"]*)\"").matcher(text);
    Matcher password = Pattern.compile("webServer\\.password\\s*=\\s*\"([^\"]*)\"").matcher(text);
    // Like frpc: with webServer.user/password set, the admin API wants HTTP Basic credentials.
    String expected =
        user.find() && password.find()
            ? "Basic "
                + java.util.Base64.getEncoder()
                    .encodeToString(
                        (user.group(1) + ":" + password.group(1)).getBytes(StandardCharsets.UTF_8))
            : null;
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 4);
    server.createContext(
        "/api/status",
        exchange -> {
          if (expected != null
              && !expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return;
          }
          byte[] body =
              ("{\"udp\":[{\"name\":\""
                      + proxy
                      + "\",\"type\":\"udp\",\"status\":\"running\",\"err\":\"\"}]}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    Thread.currentThread().join();
  }

  private static String firstLine(String text) {
    for (String line : text.split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        return line.trim();
      }
    }
    return "";
  }

  /** Writes an executable wrapper script that runs this class (frpc is a single binary). */
  static Path script(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path script = dir.resolve("frpc");
    Files.writeString(
        script,
        "#!/bin/sh\nexec "
            + Path.of(System.getProperty("java.home"), "bin", "java")
            + " -Xmx24m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp '"
            + System.getProperty("java.class.path")
            + "' "
            + FakeFrpc.class.getName()
            + " \"$@\"\n");
    script.toFile().setExecutable(true);
    return script;
  }
}
