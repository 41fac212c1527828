package dev.spoq.relayserver.frpgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.fleet.HealthPoller;
import dev.spoq.relay.plugin.PluginMtlsListener;
import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.relay.testing.RunningCoordinator;
import dev.spoq.relayserver.RelayServerApplication;
import dev.spoq.testsupport.frp.FrpTemplate;
import dev.spoq.testsupport.frp.FrpcStandIn;
import dev.spoq.testsupport.frp.FrpsConfig;
import dev.spoq.testsupport.frp.FrpsStandIn;
import dev.spoq.testsupport.tls.TestPki;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Issue 11 part 3 and issue 13 item 18: frps (the {@link FrpsStandIn}, since frp cannot be
 * installed here, running the shipped frps.toml in its gateway variant) calls relay-server's frp
 * plugin gateway on loopback, which calls the REAL relay-coordinator's mTLS plugin listener with a
 * client certificate from a relay CA made in this test. Then the coordinator is stopped: the known
 * session stays up through the outage (longer than frps's heartbeatTimeout), a new Login is
 * refused, a Jetson revoked before the outage stays out, and after the stale window the gateway
 * fails closed and frps closes the session. The coordinator's mTLS listener refuses a certificate
 * for another relay, one from another CA, and none. Test timings: stale window 20 s, frps
 * heartbeatTimeout 6 s, frpc ping every 1 s (the shipped values are 10 min, 90 s and 30 s).
 * relay-server runs as on an frp-only host ({@code spoq.relay.datapath.enabled=false}).
 */
class FrpGatewayIT {

  private static final String RELAY = "eu-1";
  private static final String PW = "test-store-pw";
  private static final Duration WINDOW = Duration.ofSeconds(20);
  private static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(6);

  @TempDir Path dir;

  @Test
  void knownSessionsSurviveACoordinatorOutageForTheStaleWindowAndNoLonger() throws Exception {
    TestPki ca = TestPki.newCa("Spoq relay CA (test)");
    Path coordinatorKeys =
        ca.issue("coordinator", "127.0.0.1", "localhost")
            .writeKeyStore(dir.resolve("coordinator.p12"), PW);
    Path relayCa = ca.writeTrustStore(dir.resolve("relay-ca.p12"), PW);
    Path gatewayKeys = ca.issue(RELAY).writeKeyStore(dir.resolve("eu-1.p12"), PW);
    Path otherRelayKeys = ca.issue("eu-2").writeKeyStore(dir.resolve("eu-2.p12"), PW);
    Path foreignKeys =
        TestPki.newCa("someone else").issue(RELAY).writeKeyStore(dir.resolve("foreign.p12"), PW);

    try (RunningRegistry registry = RunningRegistry.start();
        FrpsAdminStub admin = new FrpsAdminStub("admin", "pw-eu-1", 7000)) {
      RunningCoordinator coordinator =
          RunningCoordinator.builder(registry)
              .property("spoq.relay.plugin-mtls.enabled", "true")
              .property("spoq.relay.plugin-mtls.address", "127.0.0.1")
              .property("spoq.relay.plugin-mtls.port", "0")
              .property("spoq.relay.plugin-mtls.key-store", coordinatorKeys)
              .property("spoq.relay.plugin-mtls.key-store-password", PW)
              .property("spoq.relay.plugin-mtls.trust-store", relayCa)
              .property("spoq.relay.plugin-mtls.trust-store-password", PW)
              .start();
      ConfigurableApplicationContext relayServer = null;
      try {
        int mtlsPort = coordinator.context().getBean(PluginMtlsListener.class).port();
        String mtlsUrl = "https://127.0.0.1:" + mtlsPort;
        registerRelay(coordinator, registry, admin);
        RunningRegistry.EnrolledJetson kept = jetson(registry, "kept");
        RunningRegistry.EnrolledJetson revoked = jetson(registry, "revoked");

        // the coordinator's mTLS listener: only the relay CA, only for the certificate's relay
        String login = loginBody(coordinator.assignment(kept.deviceToken()));
        assertThat(post(mtlsUrl, RELAY, gatewayKeys, relayCa, login).statusCode()).isEqualTo(200);
        assertThat(post(mtlsUrl, RELAY, otherRelayKeys, relayCa, login).statusCode())
            .isEqualTo(404);
        HttpResponse<String> malformed =
            post(mtlsUrl, RELAY, gatewayKeys, relayCa, "{\"op\":1,\"content\":[]}");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.headers().firstValue("Content-Type"))
            .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThatThrownBy(() -> post(mtlsUrl, RELAY, foreignKeys, relayCa, login))
            .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> post(mtlsUrl, RELAY, null, relayCa, login))
            .isInstanceOf(IOException.class);
        // ... and the mTLS path is not served on the plain port
        assertThat(
                coordinator
                    .call("POST", "/frps-plugin-mtls/" + RELAY + "/handler?op=Login", null, login)
                    .status())
            .isEqualTo(404);

        relayServer = startRelayServer(mtlsUrl, gatewayKeys, relayCa);
        FrpGatewayServer gateway = relayServer.getBean(FrpGatewayServer.class);
        assertThat(relayServer.getBeanNamesForType(dev.spoq.relayserver.datapath.Relay.class))
            .isEmpty();
        HttpResponse<String> readiness =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "http://127.0.0.1:"
                                    + relayServer.getEnvironment().getProperty("local.server.port")
                                    + "/actuator/health/readiness"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).isEqualTo(200);
        MeterRegistry meters = relayServer.getBean(MeterRegistry.class);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("FRPS_AUTH_TOKEN", "running-coordinator-frps-token");
        env.put("FRPS_PLUGIN_GATEWAY", "127.0.0.1:" + gateway.address().getPort());
        env.put("FRPS_ALLOW_PORTS", "40000-40009");
        env.put("FRPS_ADMIN_USER", "admin");
        env.put("FRPS_ADMIN_PASSWORD", "pw-eu-1");
        FrpsConfig config =
            FrpsConfig.parse(FrpTemplate.render(FrpTemplate.shipped("frps.toml"), env));
        assertThat(config.pluginPath()).isEqualTo("/frps-plugin");
        assertThat(config.heartbeatTimeout()).isEqualTo(Duration.ofSeconds(90));

        JsonNode keptAssignment = coordinator.assignment(kept.deviceToken());
        JsonNode revokedAssignment = coordinator.assignment(revoked.deviceToken());
        try (FrpsStandIn frps = FrpsStandIn.start(config.withHeartbeatTimeout(HEARTBEAT_TIMEOUT));
            FrpcStandIn keptFrpc = frpc(frps, keptAssignment);
            FrpcStandIn revokedFrpc = frpc(frps, revokedAssignment)) {
          Awaitility.await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> keptFrpc.okPongs() >= 1 && revokedFrpc.okPongs() >= 1);

          registry.revokeJetson(revoked.jetsonId());
          Awaitility.await()
              .atMost(Duration.ofSeconds(5))
              .until(() -> !revokedFrpc.errorPongs().isEmpty());

          coordinator.close();
          Instant outage = Instant.now();

          // through an outage longer than heartbeatTimeout, the known session stays up
          Thread.sleep(HEARTBEAT_TIMEOUT.plusSeconds(4).toMillis());
          assertThat(keptFrpc.open()).isTrue();
          int okDuringOutage = keptFrpc.okPongs();
          Thread.sleep(1500);
          assertThat(keptFrpc.okPongs()).isGreaterThan(okDuringOutage);
          assertThat(
                  meters
                      .counter("spoq.frp.gateway.calls", "op", "Ping", "outcome", "stale_allowed")
                      .count())
              .isGreaterThan(0);
          assertThat(meters.get("spoq.frp.gateway.outage").gauge().value()).isEqualTo(1.0);
          // the Jetson revoked before the outage stayed out: refused, and closed by frps
          assertThat(revokedFrpc.open()).isFalse();
          assertThat(revokedFrpc.closedByUs()).isFalse();
          // no new Login during the outage, not even for the known Jetson
          assertThatThrownBy(() -> frpc(frps, keptAssignment))
              .isInstanceOf(FrpcStandIn.Refused.class)
              .hasMessageContaining("cannot be reached");

          // after the window: refused Pings, and frps closes the session
          Awaitility.await()
              .atMost(WINDOW.plus(HEARTBEAT_TIMEOUT).plusSeconds(5))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> !keptFrpc.open());
          assertThat(keptFrpc.errorPongs()).isNotEmpty();
          assertThat(Duration.between(outage, keptFrpc.closedAt()))
              .isGreaterThan(WINDOW.minusSeconds(2))
              .isLessThan(WINDOW.plus(HEARTBEAT_TIMEOUT).plusSeconds(3));
          assertThat(
                  meters
                      .counter(
                          "spoq.frp.gateway.calls", "op", "Ping", "outcome", "refused_unreachable")
                      .count())
              .isGreaterThan(0);
        }
      } finally {
        if (relayServer != null) {
          relayServer.close();
        }
        coordinator.close();
      }
    }
  }

  /** relay-server as on an frp-only relay host: the gateway, no UDP relay. */
  private ConfigurableApplicationContext startRelayServer(String mtlsUrl, Path keys, Path trust) {
    return new SpringApplicationBuilder(RelayServerApplication.class)
        .properties("spring.config.name=relay-server")
        .run(
            "--server.port=0",
            "--spoq.relay.datapath.enabled=false",
            "--logging.structured.format.console=",
            "--spoq.frp-gateway.enabled=true",
            "--spoq.frp-gateway.port=0",
            "--spoq.frp-gateway.coordinator-url=" + mtlsUrl,
            "--spoq.frp-gateway.relay-id=" + RELAY,
            "--spoq.frp-gateway.key-store=" + keys,
            "--spoq.frp-gateway.key-store-password=" + PW,
            "--spoq.frp-gateway.trust-store=" + trust,
            "--spoq.frp-gateway.trust-store-password=" + PW,
            "--spoq.frp-gateway.stale-window=" + WINDOW,
            "--spoq.frp-gateway.timeout=2s");
  }

  private static void registerRelay(
      RunningCoordinator coordinator, RunningRegistry registry, FrpsAdminStub admin) {
    Map<String, Object> relay = new LinkedHashMap<>();
    relay.put("id", RELAY);
    relay.put("region", "eu");
    relay.put("publicHost", "eu-1.relay.spoq.test");
    relay.put("bindPort", 7000);
    relay.put("udpPortRange", Map.of("start", 40000, "end", 40009));
    relay.put("capacity", 10);
    relay.put("adminUrl", admin.url());
    relay.put("adminUser", "admin");
    relay.put("adminPassword", "pw-eu-1");
    assertThat(coordinator.call("POST", "/api/relays", registry.adminKey(), relay).status())
        .isEqualTo(201);
    coordinator.context().getBean(HealthPoller.class).pollAll();
  }

  private static RunningRegistry.EnrolledJetson jetson(RunningRegistry registry, String name) {
    RunningRegistry.Account account =
        registry.createAccount(name, name, RunningRegistry.Product.JETSON);
    return registry.enrollJetson(account, X25519.generate().publicKey().base64(), "jetson-" + name);
  }

  private static String loginBody(JsonNode assignment) {
    return "{\"version\":\"0.1.0\",\"op\":\"Login\",\"content\":{\"version\":\"0.61.2\","
        + "\"run_id\":\"probe\",\"privilege_key\":\"x\",\"timestamp\":1,\"metas\":"
        + "{\"spoq_relay_credential\":\""
        + assignment.get("relayCredential").asString()
        + "\"}}}";
  }

  private static FrpcStandIn frpc(FrpsStandIn frps, JsonNode assignment) throws IOException {
    return FrpcStandIn.login(
        frps.address(),
        new FrpcStandIn.Options(
            frps.config().authToken(),
            Map.of("spoq_relay_credential", assignment.get("relayCredential").asString()),
            assignment.get("proxyName").asString(),
            assignment.get("remotePort").asInt(),
            Duration.ofSeconds(1),
            1,
            FrpcStandIn.Mode.IGNORES_ERROR_PONGS));
  }

  /** A plugin call straight to the coordinator's mTLS listener with the given client key store. */
  private static HttpResponse<String> post(
      String base, String relayId, Path keyStore, Path trustStore, String body) throws Exception {
    KeyManagerFactory keys = null;
    if (keyStore != null) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (var in = Files.newInputStream(keyStore)) {
        ks.load(in, PW.toCharArray());
      }
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(ks, PW.toCharArray());
    }
    KeyStore ts = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(trustStore)) {
      ts.load(in, PW.toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(ts);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    HttpClient client =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(
        HttpRequest.newBuilder(
                URI.create(
                    base + "/frps-plugin-mtls/" + relayId + "/handler?op=Login&version=0.1.0"))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
