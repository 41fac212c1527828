package dev.spoq.agent.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.spoq.agent.Agent;
import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local status API: {@code GET /api/device/status}, and {@code POST /api/device/test} (run all
 * checks now). Bound to 127.0.0.1 and to the WireGuard address only, never to the LAN.
 */
public class StatusServer {

  private static final Logger log = LoggerFactory.getLogger(StatusServer.class);

  private final Agent agent;
  private final AgentConfig config;
  private final List<HttpServer> servers = new ArrayList<>();

  public StatusServer(Agent agent, AgentConfig config) {
    this.agent = agent;
    this.config = config;
  }

  public void start() {
    bind("127.0.0.1", config.statusPort());
    if (config.statusBindWireguard()) {
      bind(config.wgHostAddress(), port());
    }
  }

  public int port() {
    return servers.isEmpty() ? -1 : servers.get(0).getAddress().getPort();
  }

  private void bind(String address, int port) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 16);
      server.setExecutor(
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "status-http");
                t.setDaemon(true);
                return t;
              }));
      server.createContext("/", this::handle);
      server.start();
      servers.add(server);
      log.info("status API on {}:{}", address, server.getAddress().getPort());
    } catch (IOException e) {
      log.warn("cannot bind the status API to {}:{}: {}", address, port, e.getMessage());
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals("/api/device/status")) {
        if (!method.equals("GET")) {
          problem(exchange, 405, "Method Not Allowed", "Use GET.");
          return;
        }
        send(
            exchange, 200, "application/json", Json.MAPPER.writeValueAsBytes(agent.statusReport()));
      } else if (path.equals("/api/device/test")) {
        if (!method.equals("POST")) {
          problem(exchange, 405, "Method Not Allowed", "Use POST.");
          return;
        }
        if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
          problem(exchange, 403, "Forbidden", "Connection tests run from the Jetson itself only.");
          return;
        }
        send(exchange, 200, "application/json", Json.MAPPER.writeValueAsBytes(agent.testNow()));
      } else {
        problem(exchange, 404, "Not Found", "No such endpoint.");
      }
    } catch (RuntimeException e) {
      log.warn("status API error: {}", e.getMessage());
    }
  }

  private static void problem(HttpExchange exchange, int status, String title, String detail)
      throws IOException {
    String body =
        Json.MAPPER.writeValueAsString(
            java.util.Map.of(
                "type", "about:blank", "title", title, "status", status, "detail", detail));
    send(exchange, status, "application/problem+json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  public void stop() {
    servers.forEach(s -> s.stop(0));
  }
}
