package dev.spoq.agent.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A broken control plane for the bad-input test: answers 500s, or garbage (not JSON, or JSON of the
 * wrong shape), or, once repaired, forwards to the REAL registry.
 */
final class FlakyRegistry implements AutoCloseable {

  enum Mode {
    ERROR_500,
    GARBAGE,
    WRONG_SHAPE,
    PROXY,
    /** Proxies without the long-poll's {@code wait}: a registry that does not hold requests. */
    PROXY_NO_HOLD
  }

  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  private final String target;
  volatile Mode mode = Mode.ERROR_500;
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger peerRequests = new AtomicInteger();

  FlakyRegistry(String target) throws IOException {
    this.target = target;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/", this::handle);
    // Held long-polls must not block the agent's other calls.
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    requests.incrementAndGet();
    if (ex.getRequestURI().getPath().endsWith("/peers")) {
      peerRequests.incrementAndGet();
    }
    try (ex) {
      byte[] in = ex.getRequestBody().readAllBytes();
      switch (mode) {
        case ERROR_500 -> send(ex, 500, "{\"title\":\"Internal Server Error\",\"status\":500}");
        case GARBAGE -> send(ex, 200, "<html>\u0000\u00ff gateway says hi");
        case WRONG_SHAPE -> send(ex, 200, "{\"peers\":\"all of them\",\"deviceToken\":42}");
        case PROXY, PROXY_NO_HOLD -> {
          String uri = ex.getRequestURI().toString();
          if (mode == Mode.PROXY_NO_HOLD) {
            uri = uri.replaceAll("[?&]wait=\\d+", "");
          }
          HttpRequest.Builder b =
              HttpRequest.newBuilder(URI.create(target + uri))
                  .method(ex.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(in));
          for (String h :
              new String[] {"Authorization", "Content-Type", "If-None-Match", "Accept"}) {
            String v = ex.getRequestHeaders().getFirst(h);
            if (v != null) {
              b.header(h, v);
            }
          }
          HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
          r.headers().firstValue("ETag").ifPresent(v -> ex.getResponseHeaders().set("ETag", v));
          r.headers()
              .firstValue("Content-Type")
              .ifPresent(v -> ex.getResponseHeaders().set("Content-Type", v));
          ex.sendResponseHeaders(
              r.statusCode(), r.statusCode() == 304 || r.body().length == 0 ? -1 : r.body().length);
          if (r.body().length > 0 && r.statusCode() != 304) {
            ex.getResponseBody().write(r.body());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.ISO_8859_1);
    ex.sendResponseHeaders(status, b.length);
    ex.getResponseBody().write(b);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
