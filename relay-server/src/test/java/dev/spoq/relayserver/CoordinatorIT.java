package dev.spoq.relayserver;

import static dev.spoq.relayserver.Topology.JETSON_A_TUNNEL_IP;
import static dev.spoq.relayserver.Topology.RELAY_FOR_AGENTS;
import static dev.spoq.relayserver.Topology.RELAY_FOR_CLIENTS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.protocol.RelayTunnel;
import dev.spoq.relay.protocol.SessionKeys;
import dev.spoq.relay.testing.RunningCoordinator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * relay-server against the REAL relay-coordinator (and device registry, on PostgreSQL): the Jetson
 * set and session key come from the coordinator (C1, C2), sessions and usage are reported back,
 * live sessions keep working while the coordinator is stopped (default 10 minutes, {@code
 * -Drelay.it.outage=PT10M}), the relay picks the coordinator up again after its restart, and a
 * Jetson revoked in the registry is cut off within 10 s.
 */
class CoordinatorIT {

  private static final String RELAY_ID = "relay-it-1";

  @Test
  void followsTheCoordinatorSurvivesItsOutageAndCutsOffARevokedJetson() throws Exception {
    Duration outage = Duration.parse(System.getProperty("relay.it.outage", "PT10M"));
    try (RunningRegistry registry = RunningRegistry.start();
        Topology net = new Topology("coord")) {
      RunningCoordinator coordinator = RunningCoordinator.start(registry);
      try {
        RunningCoordinator.SpoqRelay relay =
            coordinator.registerSpoqRelay(RELAY_ID, "eu", RELAY_FOR_CLIENTS, 51820, 51821, 100);
        RunningRegistry.Account alice =
            registry.createAccount("alice", "alice", RunningRegistry.Product.JETSON);
        RunningRegistry.EnrolledJetson jetson =
            registry.enrollJetson(alice, net.a.wg.publicKey(), "jetson-a");
        JsonNode assignment = coordinator.assignment(jetson.deviceToken());
        assertThat(assignment.path("kind").asString()).isEqualTo("spoq");
        assertThat(assignment.path("relay").path("id").asString()).isEqualTo(RELAY_ID);
        assertThat(assignment.path("relay").path("agentPort").asInt()).isEqualTo(51821);
        net.a.id = jetson.jetsonId();
        net.a.sessionKey = SessionKeys.derive(assignment.path("credential").asString());

        TcpBridge bridge = net.track(new TcpBridge(net.relayNs, 18083, coordinator.port()));
        net.startRelay(
            List.of(
                "--spoq.relay.coordinator.url=http://127.0.0.1:18083",
                "--spoq.relay.coordinator.relay-id=" + RELAY_ID,
                "--spoq.relay.coordinator.token=" + relay.token(),
                "--spoq.relay.coordinator.report-interval=2s"));
        assertThat(net.relay.metric("spoq_relay_jetsons", "")).isEqualTo(1);

        RelayTunnel tunnel = net.a.openTunnel(RELAY_FOR_AGENTS, 51821, Duration.ofSeconds(5));
        Topology.await(
            "agent session up",
            Duration.ofSeconds(20),
            () -> tunnel.status().state() == RelayTunnel.State.UP);
        net.awaitPing(JETSON_A_TUNNEL_IP, Duration.ofSeconds(30));
        assertThat(net.pings(JETSON_A_TUNNEL_IP, 5)).isEqualTo(5);

        // Reports reach the coordinator: the relay is UP there and the Jetson's usage counts.
        RunningCoordinator first = coordinator;
        Topology.await(
            "usage reported",
            Duration.ofSeconds(20),
            () -> {
              JsonNode usage =
                  first
                      .call(
                          "GET",
                          "/api/usage/jetsons/" + jetson.jetsonId(),
                          registry.adminKey(),
                          null)
                      .json();
              return usage.path("bytesIn").asLong() + usage.path("bytesOut").asLong() > 0;
            });
        JsonNode relayView =
            coordinator.call("GET", "/api/relays/" + RELAY_ID, registry.adminKey(), null).json();
        assertThat(relayView.path("status").asString()).isEqualTo("UP");

        // The coordinator goes away: the relay keeps its last set, the session keeps working.
        coordinator.close();
        Instant stoppedAt = Instant.now();
        int rounds = 0;
        while (Duration.between(stoppedAt, Instant.now()).compareTo(outage) < 0) {
          assertThat(net.pings(JETSON_A_TUNNEL_IP, 3))
              .as(
                  "pings %s after the coordinator stopped",
                  Duration.between(stoppedAt, Instant.now()))
              .isGreaterThanOrEqualTo(2);
          rounds++;
          Thread.sleep(Math.min(20_000, outage.toMillis() / 4));
        }
        assertThat(net.pings(JETSON_A_TUNNEL_IP, 5)).isEqualTo(5);
        assertThat(tunnel.status().state()).isEqualTo(RelayTunnel.State.UP);
        assertThat(net.relay.metric("spoq_relay_coordinator_failures_total", "")).isPositive();
        System.out.printf(
            "relay IT: coordinator stopped for %d s (%d ping rounds): the live session kept working,"
                + " WireGuard rekeyed through the relay (latest handshake %d s ago)%n",
            Duration.between(stoppedAt, Instant.now()).toSeconds(),
            rounds,
            Instant.now().getEpochSecond() - net.phoneA.latestHandshake(net.a.wg.publicKey()));

        // It comes back (same database, new port): the relay follows, then a revocation in the
        // registry reaches the relay through the coordinator and cuts the Jetson off.
        coordinator = RunningCoordinator.builder(registry).database(coordinator.database()).start();
        bridge.retarget(coordinator.port());
        double lastSuccess = net.relay.metric("spoq_relay_coordinator_last_success", "");
        Topology.await(
            "relay talks to the coordinator again",
            Duration.ofSeconds(40),
            () -> net.relay.metric("spoq_relay_coordinator_last_success", "") > lastSuccess);
        assertThat(net.pings(JETSON_A_TUNNEL_IP, 3)).isEqualTo(3);

        long start = System.nanoTime();
        registry.revokeJetson(jetson.jetsonId());
        Topology.await(
            "revoked Jetson unreachable through the relay",
            Duration.ofSeconds(10),
            () -> net.pings(JETSON_A_TUNNEL_IP, 1) == 0);
        Duration cut = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf(
            "relay IT: Jetson revoked in the registry, cut off after %d ms%n", cut.toMillis());
        assertThat(cut).isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(net.pings(JETSON_A_TUNNEL_IP, 3)).isZero();
        assertThat(net.relay.metric("spoq_relay_jetsons", "")).isZero();
      } finally {
        coordinator.close();
      }
    }
  }
}
