package dev.spoq.relayserver.frpgateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's listener for frps's plugin calls ({@code POST /frps-plugin?op=..&version=0.1.0},
 * frp's request body), on a private address only (default 127.0.0.1:7200). A separate small HTTP
 * server (the JDK's), so the relay's health and metrics port never serves plugin calls. Malformed
 * requests get RFC 9457 problem details; every well-formed one gets frps's answer shape.
 */
public final class FrpGatewayServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FrpGatewayServer.class);
  static final String PATH = "/frps-plugin";
  private static final int MAX_BODY = 64 * 1024;

  private final HttpServer server;
  private final ExecutorService workers;
  private final FrpGateway gateway;
  private final JsonMapper json;

  FrpGatewayServer(FrpGatewayProperties p, FrpGateway gateway, JsonMapper json) throws IOException {
    this.gateway = gateway;
    this.json = json;
    InetAddress address = InetAddress.getByName(p.bindAddress());
    if (!address.isLoopbackAddress() && !address.isSiteLocalAddress()) {
      log.warn(
          "frp gateway: listening on {}, which is neither loopback nor private; frps's calls"
              + " carry Jetson credentials",
          address.getHostAddress());
    }
    server = HttpServer.create(new InetSocketAddress(address, p.port()), 64);
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads =
        r -> {
          Thread t = new Thread(r, "frp-gateway-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        };
    workers = Executors.newFixedThreadPool(16, threads);
    server.setExecutor(workers);
    server.createContext("/", this::handle);
    server.start();
    log.info("frp gateway: listening on {} for frps plugin calls (path {})", address(), PATH);
  }

  /** Where frps's plugin {@code addr} must point. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(1);
    workers.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!PATH.equals(exchange.getRequestURI().getPath())) {
        problem(exchange, 404, "Not Found", "No such resource.");
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        problem(exchange, 405, "Method Not Allowed", "Only POST.");
        return;
      }
      byte[] body = readLimited(exchange.getRequestBody());
      if (body == null) {
        problem(exchange, 413, "Content Too Large", "The body exceeds " + MAX_BODY + " bytes.");
        return;
      }
      JsonNode request;
      try {
        request = json.readTree(body);
      } catch (RuntimeException e) {
        problem(exchange, 400, "Bad Request", "The body must be frps's plugin request (JSON).");
        return;
      }
      JsonNode op = request == null ? null : request.get("op");
      JsonNode content = request == null ? null : request.get("content");
      if (op == null || !op.isString() || content == null || !content.isObject()) {
        problem(
            exchange, 400, "Bad Request", "The body needs 'op' (string) and 'content' (object).");
        return;
      }
      if (!FrpGateway.OPS.contains(op.asString())) {
        problem(exchange, 400, "Bad Request", "Unknown plugin op.");
        return;
      }
      String queryOp = queryOp(exchange.getRequestURI().getRawQuery());
      if (queryOp != null && !queryOp.equals(op.asString())) {
        problem(
            exchange, 400, "Bad Request", "The op in the query differs from the op in the body.");
        return;
      }
      String answer =
          gateway.decide(
              op.asString(), content, body, exchange.getRequestHeaders().getFirst("X-Frp-Reqid"));
      send(exchange, 200, "application/json", answer);
    } catch (RuntimeException e) {
      log.error("frp gateway: request failed", e);
      problem(exchange, 500, "Internal Server Error", "The gateway failed.");
    }
  }

  private static String queryOp(String query) {
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      if (pair.startsWith("op=")) {
        return java.net.URLDecoder.decode(pair.substring(3), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static byte[] readLimited(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY + 1);
    return body.length > MAX_BODY ? null : body;
  }

  private void problem(HttpExchange exchange, int status, String title, String detail)
      throws IOException {
    var body = json.createObjectNode();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", PATH);
    send(exchange, status, "application/problem+json", json.writeValueAsString(body));
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
