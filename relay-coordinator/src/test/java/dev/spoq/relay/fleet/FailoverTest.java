package dev.spoq.relay.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.relay.assignment.AssignmentService;
import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.relay.support.RelayServiceTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Health polling and failover. frps cannot be installed here, so each relay's frps admin web server
 * ({@code /healthz}, {@code /api/serverinfo}) is a small JDK HTTP server ({@link FrpsAdminStub})
 * that the test switches off (connection refused) and on again; that stand-in is used for health
 * and metrics polling only.
 */
class FailoverTest extends RelayServiceTest {

  @Autowired AssignmentService assignments;
  @Autowired RelayRepository relays;

  @Test
  void relayDownAfterConsecutiveFailuresMovesItsJetsonsAndComesBackUp() throws Exception {
    FrpsAdminStub us1 = relay("us-1", "us", 42000, 42099, 100);
    health.pollAll();
    List<UUID> jetsons = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      UUID j = UUID.randomUUID();
      jetsons.add(j);
      assertThat(assignments.place(j).relay().id()).isEqualTo("us-1");
    }
    relay("us-2", "us", 43000, 43099, 100);
    health.pollAll();
    assertThat(relays.find("us-1").orElseThrow().status()).isEqualTo("UP");
    assertThat(relays.find("us-1").orElseThrow().frpsVersion()).isEqualTo("0.61.1");

    us1.switchOff();
    health.pollAll(); // 1st failure: still UP (threshold 2 in tests)
    Relay after1 = relays.find("us-1").orElseThrow();
    assertThat(after1.status()).isEqualTo("UP");
    assertThat(after1.consecutiveFailures()).isEqualTo(1);
    assertThat(after1.lastError()).contains("unreachable");
    health.pollAll(); // 2nd: DOWN, Jetsons moved
    assertThat(relays.find("us-1").orElseThrow().status()).isEqualTo("DOWN");
    for (UUID j : jetsons) {
      var a = assignments.current(j).orElseThrow();
      assertThat(a.relayId()).isEqualTo("us-2");
      assertThat(a.remotePort()).isBetween(43000, 43099);
      assertThat(a.reason()).contains("moved from us-1").contains("down");
    }
    // a new Jetson avoids the down relay
    assertThat(assignments.place(UUID.randomUUID()).relay().id()).isEqualTo("us-2");
    // the admin API shows it
    Answer view = call("GET", "/api/relays/us-1", admin(), null);
    assertThat(view.json().get("status").asString()).isEqualTo("DOWN");
    assertThat(view.json().get("assigned").asInt()).isZero();

    us1.switchOn();
    health.pollAll();
    Relay back = relays.find("us-1").orElseThrow();
    assertThat(back.status()).isEqualTo("UP");
    assertThat(back.consecutiveFailures()).isZero();
    // sticky: recovery does not move anyone back
    for (UUID j : jetsons) {
      assertThat(assignments.place(j).assignment().relayId()).isEqualTo("us-2");
    }
  }

  @Test
  void wrongAdminCredentialsCountAsFailures() throws Exception {
    relay("us-1", "us", 42000, 42099, 100);
    var body =
        java.util.Map.of(
            "region",
            "us",
            "publicHost",
            "us-1.relay.spoq.test",
            "bindPort",
            7000,
            "udpPortRange",
            java.util.Map.of("start", 42000, "end", 42099),
            "capacity",
            100,
            "adminUrl",
            stubs.get(0).url(),
            "adminUser",
            "admin",
            "adminPassword",
            "wrong");
    assertThat(call("PUT", "/api/relays/us-1", admin(), body).status()).isEqualTo(200);
    health.pollAll();
    health.pollAll();
    Relay r = relays.find("us-1").orElseThrow();
    assertThat(r.status()).isEqualTo("DOWN");
    assertThat(r.lastError()).contains("401");
  }

  @Test
  void drainMovesJetsonsAndStopsNewOnes() throws Exception {
    relay("eu-1", "eu", 44000, 44099, 100);
    relay("eu-2", "eu", 45000, 45099, 100);
    health.pollAll();
    List<UUID> onEu1 = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      UUID j = UUID.randomUUID();
      assignments.recordLatency(j, java.util.Map.of("eu", 20.0));
      if (assignments.place(j).relay().id().equals("eu-1")) {
        onEu1.add(j);
      }
    }
    assertThat(onEu1).isNotEmpty();
    Answer drained = call("POST", "/api/relays/eu-1/drain", admin(), null);
    assertThat(drained.status()).isEqualTo(200);
    assertThat(drained.json().get("moved").asInt()).isEqualTo(onEu1.size());
    assertThat(drained.json().get("relay").get("draining").asBoolean()).isTrue();
    for (UUID j : onEu1) {
      assertThat(assignments.current(j).orElseThrow().relayId()).isEqualTo("eu-2");
    }
    for (int i = 0; i < 5; i++) {
      assertThat(assignments.place(UUID.randomUUID()).relay().id()).isEqualTo("eu-2");
    }
    assertThat(call("DELETE", "/api/relays/eu-2", admin(), null).status()).isEqualTo(409);
    assertThat(call("DELETE", "/api/relays/eu-1", admin(), null).status()).isEqualTo(204);
    assertThat(call("GET", "/api/relays/eu-1", admin(), null).status()).isEqualTo(404);
  }

  @Test
  void anFrpsOlderThan056NeverCountsAsUp() throws Exception {
    dev.spoq.relay.support.FrpsAdminStub old = relay("old-1", "eu", 45000, 45099, 100);
    old.setVersion("0.52.3");
    health.pollAll();
    health.pollAll();
    tools.jackson.databind.JsonNode view = call("GET", "/api/relays/old-1", admin(), null).json();
    org.assertj.core.api.Assertions.assertThat(view.get("status").asString()).isNotEqualTo("UP");
    org.assertj.core.api.Assertions.assertThat(view.get("lastError").asString()).contains("0.56");
    old.setVersion("0.56.0");
    health.pollAll();
    org.assertj.core.api.Assertions.assertThat(
            call("GET", "/api/relays/old-1", admin(), null).json().get("status").asString())
        .isEqualTo("UP");
  }
}
