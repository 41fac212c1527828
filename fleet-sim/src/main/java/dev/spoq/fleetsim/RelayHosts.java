package dev.spoq.fleetsim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The simulated fleet's relay hosts, as far as the coordinator sees them in steady state: each
 * frps's admin web server answering the coordinator's health poll ({@code /healthz}, {@code
 * /api/serverinfo}) and usage scrape ({@code /metrics}, no traffic). Relayed datagrams are not part
 * of the control plane's load and are not simulated; the relay data paths have their own tests and
 * benchmarks (relay-server, e2e).
 */
final class RelayHosts implements AutoCloseable {

  private final HttpServer server;

  RelayHosts(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext("/healthz", e -> answer(e, "text/plain", ""));
    server.createContext(
        "/api/serverinfo",
        e ->
            answer(
                e,
                "application/json",
                "{\"version\":\"0.61.1\",\"bindPort\":7000,\"clientCounts\":0,\"curConns\":0}"));
    server.createContext(
        "/metrics",
        e ->
            answer(
                e,
                "text/plain; version=0.0.4",
                "# TYPE frp_server_client_counts gauge\nfrp_server_client_counts 0\n"));
    server.start();
  }

  String adminUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static void answer(HttpExchange e, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    e.getResponseHeaders().add("Content-Type", type);
    e.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      e.getResponseBody().write(bytes);
    }
    e.close();
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
