package dev.spoq.testsupport.frp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The frp stand-ins against a scripted plugin endpoint (this test checks the stand-ins themselves;
 * the relay-coordinator and relay-server tests put the real plugin behind them): the requests frps
 * makes, LoginResp/NewProxyResp/Pong, error Pongs, and heartbeatTimeout read from the shipped
 * frps.toml.
 */
class FrpStandInTest {

  record Seen(String query, String reqid, String contentType, JsonNode body) {}

  private HttpServer plugin;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile boolean rejectPings;

  @BeforeEach
  void plugin() throws Exception {
    plugin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    plugin.createContext(
        "/frps-plugin/s3cret/eu-1/handler",
        exchange -> {
          JsonNode body = FrpWire.JSON.readTree(exchange.getRequestBody().readAllBytes());
          seen.add(
              new Seen(
                  exchange.getRequestURI().getRawQuery(),
                  exchange.getRequestHeaders().getFirst("X-Frp-Reqid"),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  body));
          boolean reject = rejectPings && "Ping".equals(body.path("op").asString());
          byte[] answer =
              (reject
                      ? "{\"reject\":true,\"reject_reason\":\"this Jetson has been revoked\"}"
                      : "{\"reject\":false,\"unchange\":true}")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    plugin.start();
  }

  @AfterEach
  void stop() {
    plugin.stop(0);
  }

  private FrpsConfig shipped() {
    return FrpsConfig.parse(
        FrpTemplate.render(
            FrpTemplate.shipped("frps.toml"),
            Map.of(
                "FRPS_AUTH_TOKEN", "fleet-token",
                "FRPS_PLUGIN_ADDR", "127.0.0.1:" + plugin.getAddress().getPort(),
                "FRPS_PLUGIN_SECRET", "s3cret",
                "FRPS_RELAY_ID", "eu-1",
                "FRPS_ALLOW_PORTS", "40000-40009",
                "FRPS_ADMIN_USER", "admin",
                "FRPS_ADMIN_PASSWORD", "pw")));
  }

  private static FrpcStandIn.Options frpc(String token, FrpcStandIn.Mode mode) {
    return new FrpcStandIn.Options(
        token,
        Map.of("spoq_relay_credential", "spoq_rly_x"),
        "spoq-a",
        40001,
        Duration.ofMillis(300),
        1,
        mode);
  }

  @Test
  void readsTheShippedConfig() {
    FrpsConfig config = shipped();
    assertThat(config.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(config.authToken()).isEqualTo("fleet-token");
    assertThat(config.detailedErrorsToClient()).isTrue();
    assertThat(config.pluginOps()).containsExactly("Login", "NewProxy", "Ping", "CloseProxy");
  }

  @Test
  void callsThePluginAsFrpsDoesAndSendsAnErrorPongForARefusedPing() throws Exception {
    try (FrpsStandIn frps = FrpsStandIn.start(shipped());
        FrpcStandIn frpc =
            FrpcStandIn.login(frps.address(), frpc("fleet-token", FrpcStandIn.Mode.STOCK))) {
      await(() -> frpc.okPongs() >= 1, Duration.ofSeconds(5));
      Seen login = seen.get(0);
      assertThat(login.query()).isEqualTo("op=Login&version=0.1.0");
      assertThat(login.reqid()).isNotBlank();
      assertThat(login.contentType()).isEqualTo("application/json");
      assertThat(login.body().path("version").asString()).isEqualTo("0.1.0");
      JsonNode content = login.body().path("content");
      assertThat(content.path("metas").path("spoq_relay_credential").asString())
          .isEqualTo("spoq_rly_x");
      assertThat(content.path("client_address").asString()).startsWith("127.0.0.1:");
      JsonNode newProxy =
          seen.stream()
              .filter(s -> s.body().path("op").asString().equals("NewProxy"))
              .findFirst()
              .orElseThrow()
              .body()
              .path("content");
      assertThat(newProxy.path("proxy_name").asString()).isEqualTo("spoq-a");
      assertThat(newProxy.path("remote_port").asInt()).isEqualTo(40001);
      assertThat(newProxy.path("user").path("run_id").asString()).isEqualTo(frpc.runId());
      // NewWorkConn is not in the shipped ops: the work connection is never sent to the plugin
      assertThat(seen).noneMatch(s -> s.body().path("op").asString().equals("NewWorkConn"));

      Instant lastGood = frps.session(frpc.runId()).orElseThrow().lastPing();
      rejectPings = true;
      await(() -> !frpc.open(), Duration.ofSeconds(5));
      assertThat(frpc.errorPongs()).containsExactly("invalid ping: this Jetson has been revoked");
      assertThat(frpc.closedByUs()).isTrue();
      await(() -> frps.session(frpc.runId()).isEmpty(), Duration.ofSeconds(5));
      assertThat(frps.pluginCalls())
          .filteredOn(c -> c.op().equals("Ping") && c.refusal() != null)
          .isNotEmpty();
      assertThat(lastGood).isNotNull();
      await(
          () -> seen.stream().anyMatch(s -> s.body().path("op").asString().equals("CloseProxy")),
          Duration.ofSeconds(5));
    }
  }

  @Test
  void heartbeatTimeoutClosesAnFrpcThatIgnoresErrorPongs() throws Exception {
    try (FrpsStandIn frps =
            FrpsStandIn.start(shipped().withHeartbeatTimeout(Duration.ofSeconds(2)));
        FrpcStandIn frpc =
            FrpcStandIn.login(
                frps.address(), frpc("fleet-token", FrpcStandIn.Mode.IGNORES_ERROR_PONGS))) {
      await(() -> frpc.okPongs() >= 2, Duration.ofSeconds(5));
      rejectPings = true;
      Instant refusedFrom = Instant.now();
      await(() -> !frpc.open(), Duration.ofSeconds(6));
      assertThat(frpc.closedByUs()).isFalse();
      assertThat(frpc.errorPongs()).isNotEmpty();
      assertThat(Duration.between(refusedFrom, frpc.closedAt()))
          .isLessThanOrEqualTo(Duration.ofSeconds(4));
    }
  }

  @Test
  void withoutHeartbeatTimeoutAnUncooperativeFrpcStays() throws Exception {
    try (FrpsStandIn frps =
            FrpsStandIn.start(shipped().withHeartbeatTimeout(Duration.ofSeconds(-1)));
        FrpcStandIn frpc =
            FrpcStandIn.login(
                frps.address(), frpc("fleet-token", FrpcStandIn.Mode.IGNORES_ERROR_PONGS))) {
      rejectPings = true;
      await(() -> frpc.errorPongs().size() >= 8, Duration.ofSeconds(6));
      assertThat(frpc.open()).isTrue();
    }
  }

  @Test
  void aWrongTokenIsRefusedAfterThePluginSawTheLogin() throws Exception {
    try (FrpsStandIn frps = FrpsStandIn.start(shipped())) {
      assertThatThrownBy(
              () -> FrpcStandIn.login(frps.address(), frpc("wrong", FrpcStandIn.Mode.STOCK)))
          .isInstanceOf(FrpcStandIn.Refused.class)
          .hasMessageContaining("token in login doesn't match");
      assertThat(seen).hasSize(1);
    }
  }

  static void await(BooleanSupplier condition, Duration limit) throws InterruptedException {
    Instant end = Instant.now().plus(limit);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("condition not met within " + limit);
      }
      Thread.sleep(50);
    }
  }
}
