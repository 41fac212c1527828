package dev.spoq.relayserver.frpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.testsupport.tls.TestPki;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's listener on hostile input, and its answers while the coordinator address refuses
 * connections (nothing listens there): malformed requests get problem details; Login, NewProxy and
 * a Ping of a session it never saw allowed are refused; CloseProxy is acknowledged.
 */
class FrpGatewayServerTest {

  @TempDir Path dir;
  private FrpGatewayServer server;
  private final HttpClient http = HttpClient.newHttpClient();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void start() throws Exception {
    TestPki ca = TestPki.newCa("relay CA");
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    FrpGatewayProperties p =
        new FrpGatewayProperties(
            true,
            "127.0.0.1",
            0,
            "https://127.0.0.1:" + closedPort,
            "eu-1",
            ca.issue("eu-1").writeKeyStore(dir.resolve("k.p12"), "pw").toString(),
            "pw",
            ca.writeTrustStore(dir.resolve("t.p12"), "pw").toString(),
            "pw",
            Duration.ofMinutes(10),
            Duration.ofSeconds(2),
            1000);
    JsonMapper json = JsonMapper.builder().build();
    StaleWindow memory = new StaleWindow(p.staleWindow(), p.maxSessions(), Clock.systemUTC());
    server =
        new FrpGatewayServer(
            p, new FrpGateway(new CoordinatorPluginClient(p), memory, json, meters), json);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path));
    r.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String call(String op, String content) {
    return "{\"version\":\"0.1.0\",\"op\":\"" + op + "\",\"content\":" + content + "}";
  }

  @Test
  void malformedRequestsGetProblemDetails() throws Exception {
    assertThat(send("POST", "/other", "{}").statusCode()).isEqualTo(404);
    HttpResponse<String> get = send("GET", "/frps-plugin", null);
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(send("POST", "/frps-plugin", "not json").statusCode()).isEqualTo(400);
    assertThat(send("POST", "/frps-plugin", "[1,2]").statusCode()).isEqualTo(400);
    assertThat(send("POST", "/frps-plugin", "{\"op\":1,\"content\":{}}").statusCode())
        .isEqualTo(400);
    HttpResponse<String> unknown = send("POST", "/frps-plugin", call("Exec", "{}"));
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).doesNotContain("Exception").contains("\"status\":400");
    assertThat(send("POST", "/frps-plugin?op=Login", call("Ping", "{}")).statusCode())
        .isEqualTo(400);
    assertThat(send("POST", "/frps-plugin", "{\"x\":\"" + "a".repeat(70_000) + "\"}").statusCode())
        .isEqualTo(413);
  }

  @Test
  void withTheCoordinatorUnreachableOnlyKnownSessionsCouldGoOn() throws Exception {
    String user =
        "{\"user\":{\"user\":\"\",\"metas\":{\"spoq_relay_credential\":\"x\"},\"run_id\":\"r1\"}}";
    HttpResponse<String> login =
        send("POST", "/frps-plugin?op=Login&version=0.1.0", call("Login", "{\"run_id\":\"r1\"}"));
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.body()).contains("\"reject\":true").contains("cannot be reached");
    assertThat(send("POST", "/frps-plugin", call("NewProxy", user)).body())
        .contains("\"reject\":true");
    assertThat(send("POST", "/frps-plugin", call("Ping", user)).body()).contains("\"reject\":true");
    assertThat(send("POST", "/frps-plugin", call("CloseProxy", user)).body())
        .isEqualTo(FrpGateway.ALLOW);
    assertThat(meters.get("spoq.frp.gateway.outage").gauge().value()).isEqualTo(1.0);
    assertThat(
            meters
                .counter("spoq.frp.gateway.calls", "op", "Ping", "outcome", "refused_unreachable")
                .count())
        .isEqualTo(1.0);
  }
}
