package dev.spoq.relay.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for ONE thing only: the admin web server of frps ({@code webServer.*}: {@code
 * /healthz}, {@code /api/serverinfo}, {@code /metrics}), because frps cannot be installed on this
 * machine. It is used only for the coordinator's health polling and metrics scraping; every other
 * component in these tests is real. It speaks what frps speaks: {@code /healthz} without auth and
 * an empty 200, the others behind HTTP basic auth, server info as frps's JSON, metrics as the
 * Prometheus text the given fixture holds. {@link #switchOff()} closes the listening socket (a real
 * outage: connection refused); {@link #switchOn()} listens again on the same port.
 */
public final class FrpsAdminStub implements AutoCloseable {

  private final String user;
  private final String password;
  private final int bindPort;
  private final int port;
  private final AtomicInteger metricsCalls = new AtomicInteger();
  private final AtomicInteger serverInfoCalls = new AtomicInteger();
  private volatile String metrics = "";
  private volatile String version = "0.61.1";
  private volatile HttpServer server;

  public FrpsAdminStub(String user, String password, int bindPort) throws IOException {
    this.user = user;
    this.password = password;
    this.bindPort = bindPort;
    this.server = listen(0);
    this.port = server.getAddress().getPort();
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The frps version /api/serverinfo reports (default 0.61.1). */
  public void setVersion(String version) {
    this.version = version;
  }

  public void setMetrics(String prometheusText) {
    this.metrics = prometheusText;
  }

  public int metricsCalls() {
    return metricsCalls.get();
  }

  public int serverInfoCalls() {
    return serverInfoCalls.get();
  }

  public synchronized void switchOff() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  public synchronized void switchOn() throws IOException {
    if (server == null) {
      server = listen(port);
    }
  }

  private HttpServer listen(int onPort) throws IOException {
    HttpServer s =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 16);
    s.createContext("/healthz", ex -> respond(ex, 200, "", "text/plain"));
    s.createContext(
        "/api/serverinfo",
        ex -> {
          if (authorised(ex)) {
            serverInfoCalls.incrementAndGet();
            respond(
                ex,
                200,
                "{\"version\":\""
                    + version
                    + "\",\"bindPort\":"
                    + bindPort
                    + ",\"vhostHTTPPort\":0,\"vhostHTTPSPort\":0,\"tcpmuxHTTPConnectPort\":0,"
                    + "\"kcpBindPort\":0,\"quicBindPort\":0,\"subdomainHost\":\"\",\"maxPoolCount\":5,"
                    + "\"maxPortsPerClient\":0,\"heartbeatTimeout\":90,\"totalTrafficIn\":0,"
                    + "\"totalTrafficOut\":0,\"curConns\":0,\"clientCounts\":2,\"proxyTypeCount\":{\"udp\":2}}",
                "application/json");
          }
        });
    s.createContext(
        "/metrics",
        ex -> {
          if (authorised(ex)) {
            metricsCalls.incrementAndGet();
            respond(ex, 200, metrics, "text/plain; version=0.0.4; charset=utf-8");
          }
        });
    s.start();
    return s;
  }

  private boolean authorised(HttpExchange ex) throws IOException {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"Restricted\"");
      respond(ex, 401, "", "text/plain");
      return false;
    }
    return true;
  }

  private static void respond(HttpExchange ex, int status, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(bytes);
      }
    }
    ex.close();
  }

  @Override
  public void close() {
    switchOff();
  }
}
