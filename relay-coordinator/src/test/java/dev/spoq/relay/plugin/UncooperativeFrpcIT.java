package dev.spoq.relay.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.RevocationFeed;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.fleet.HealthPoller;
import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.relay.testing.RunningCoordinator;
import dev.spoq.testsupport.frp.FrpTemplate;
import dev.spoq.testsupport.frp.FrpcStandIn;
import dev.spoq.testsupport.frp.FrpsConfig;
import dev.spoq.testsupport.frp.FrpsStandIn;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13 item 15: a revoked Jetson is kept out even when its frpc ignores error Pongs. The real
 * relay-coordinator and device registry (PostgreSQL) authorise a stand-in frps ({@link
 * FrpsStandIn}; frp cannot be installed here) that runs the SHIPPED deploy/frp/frps.toml, so its
 * {@code transport.heartbeatTimeout} (90 s) is the one a relay runs with. Both frpc stand-ins
 * ignore error Pongs and ping at the interval of the coordinator's own frpc config (30 s). After
 * the revocation the plugin refuses the revoked Jetson's Pings within 2 s, and frps closes its
 * session within heartbeatTimeout + one ping interval; the other Jetson's session stays up. Without
 * {@code transport.heartbeatTimeout} in frps.toml (frp's default with tcpMux is -1) the session
 * would stay: this test then fails.
 */
class UncooperativeFrpcIT {

  private static final String RELAY = "eu-1";

  /** What deploy/frp/frps.toml ships; the session must close within this + one ping interval. */
  private static final Duration SHIPPED_HEARTBEAT_TIMEOUT = Duration.ofSeconds(90);

  @Test
  void frpsClosesTheSessionOfARevokedJetsonWhoseFrpcIgnoresErrorPongs() throws Exception {
    try (RunningRegistry registry = RunningRegistry.start();
        RunningCoordinator coordinator = RunningCoordinator.start(registry);
        FrpsAdminStub admin = new FrpsAdminStub("admin", "pw-eu-1", 7000)) {
      RevocationFeed feed = coordinator.context().getBean(RevocationFeed.class);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(feed::healthy);
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

      FrpsConfig shipped =
          FrpsConfig.parse(
              FrpTemplate.render(
                  FrpTemplate.shipped("frps.toml"),
                  Map.of(
                      "FRPS_AUTH_TOKEN", "running-coordinator-frps-token",
                      "FRPS_PLUGIN_ADDR", "127.0.0.1:" + coordinator.port(),
                      "FRPS_PLUGIN_SECRET", "running_coordinator_plugin_secret",
                      "FRPS_RELAY_ID", RELAY,
                      "FRPS_ALLOW_PORTS", "40000-40009",
                      "FRPS_ADMIN_USER", "admin",
                      "FRPS_ADMIN_PASSWORD", "pw-eu-1")));
      assertThat(shipped.heartbeatTimeout()).isEqualTo(SHIPPED_HEARTBEAT_TIMEOUT);

      RunningRegistry.EnrolledJetson revoked = jetson(registry, "rev");
      RunningRegistry.EnrolledJetson kept = jetson(registry, "kept");
      try (FrpsStandIn frps = FrpsStandIn.start(shipped);
          FrpcStandIn revokedFrpc = frpc(frps, coordinator.assignment(revoked.deviceToken()));
          FrpcStandIn keptFrpc = frpc(frps, coordinator.assignment(kept.deviceToken()))) {
        Duration pingInterval = intervalOf(coordinator.assignment(kept.deviceToken()));
        revokedFrpc.pingNow();
        keptFrpc.pingNow();
        Awaitility.await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> revokedFrpc.okPongs() >= 1 && keptFrpc.okPongs() >= 1);

        Instant revokedAt = Instant.now();
        registry.revokeJetson(revoked.jetsonId());
        // its Pings are refused within 2 s (the pushed revocation feed)
        while (revokedFrpc.errorPongs().isEmpty()) {
          assertThat(Duration.between(revokedAt, Instant.now()))
              .isLessThanOrEqualTo(Duration.ofSeconds(2));
          revokedFrpc.pingNow();
          Thread.sleep(100);
        }
        assertThat(revokedFrpc.errorPongs().get(0)).contains("this Jetson has been revoked");
        assertThat(revokedFrpc.open()).as("this frpc ignores error Pongs").isTrue();

        // frps closes it: its last accepted Ping ages past heartbeatTimeout
        Duration limit = SHIPPED_HEARTBEAT_TIMEOUT.plus(pingInterval);
        Awaitility.await()
            .atMost(limit.plusSeconds(5))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> !revokedFrpc.open());
        assertThat(Duration.between(revokedAt, revokedFrpc.closedAt())).isLessThan(limit);
        assertThat(revokedFrpc.closedByUs()).isFalse();
        assertThat(frps.session(revokedFrpc.runId())).isEmpty();

        // the other Jetson's session is up and its Pings still accepted
        int before = keptFrpc.okPongs();
        keptFrpc.pingNow();
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> keptFrpc.okPongs() > before);
        assertThat(keptFrpc.open()).isTrue();
        assertThat(keptFrpc.errorPongs()).isEmpty();
        assertThat(frps.session(keptFrpc.runId())).map(FrpsStandIn.Session::open).contains(true);
      }
    }
  }

  private static RunningRegistry.EnrolledJetson jetson(RunningRegistry registry, String name) {
    RunningRegistry.Account account =
        registry.createAccount(name, name, RunningRegistry.Product.JETSON);
    return registry.enrollJetson(account, X25519.generate().publicKey().base64(), "jetson-" + name);
  }

  /** frpc's {@code transport.heartbeatInterval} from the coordinator's generated frpc config. */
  private static Duration intervalOf(JsonNode assignment) {
    Long seconds =
        Toml.parse(assignment.get("frpcConfig").asString()).getLong("transport.heartbeatInterval");
    return Duration.ofSeconds(seconds);
  }

  private static FrpcStandIn frpc(FrpsStandIn frps, JsonNode assignment) throws Exception {
    return FrpcStandIn.login(
        frps.address(),
        new FrpcStandIn.Options(
            frps.config().authToken(),
            Map.of("spoq_relay_credential", assignment.get("relayCredential").asString()),
            assignment.get("proxyName").asString(),
            assignment.get("remotePort").asInt(),
            intervalOf(assignment),
            1,
            FrpcStandIn.Mode.IGNORES_ERROR_PONGS));
  }
}
