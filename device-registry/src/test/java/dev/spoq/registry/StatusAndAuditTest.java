package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class StatusAndAuditTest {

  private final RunningRegistry registry = SharedRegistry.get();

  /** The seed's GET /api/device/status example. */
  static final Map<String, Object> SEED_STATUS =
      Map.of(
          "wireguard",
          Map.of(
              "interface",
              "wg0",
              "public_key",
              "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=",
              "listen_port",
              51820,
              "peers",
              List.of(
                  Map.of(
                      "public_key",
                      "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=",
                      "endpoint",
                      "174.1.2.3:51820",
                      "last_handshake",
                      "2024-01-15T10:30:00Z",
                      "transfer_rx",
                      1048576,
                      "transfer_tx",
                      2097152))),
          "upnp",
          Map.of("status", "active", "external_ip", "73.1.2.3", "external_port", 51820),
          "relay",
          Map.of("connected", true, "server", "relay.spoq.dev"),
          "dns",
          Map.of(
              "subdomain",
              "alice.spoq.dev",
              "points_to",
              "73.1.2.3",
              "last_update",
              "2024-01-15T09:00:00Z"));

  @Test
  void reportedAddressesThatAreNotPublicAreNotBelieved() {
    String name = SharedRegistry.name("addr");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano");
    for (String bad :
        List.of(
            "10.0.0.1",
            "169.254.169.254",
            "127.0.0.1",
            "100.64.1.1",
            "fe80::1",
            "224.0.0.1",
            "alice.example")) {
      RunningRegistry.Response put =
          registry.call(
              "PUT",
              "/api/jetsons/self/status",
              jetson.deviceToken(),
              Map.of(
                  "upnp", Map.of("status", "active", "external_ip", bad),
                  "dns", Map.of("points_to", bad),
                  "connection", Map.of("mode", "direct")));
      assertThat(put.status()).as(bad).isEqualTo(200);
      JsonNode stored =
          registry
              .registryClient("relay-coordinator")
              .jetsonStatus(jetson.jetsonId())
              .orElseThrow()
              .report();
      assertThat(stored.get("upnp").has("external_ip")).as(bad).isFalse();
      assertThat(stored.get("dns").has("points_to")).as(bad).isFalse();
      assertThat(stored.get("refused_addresses").toString())
          .contains("upnp.external_ip", "dns.points_to");
    }
    registry.call(
        "PUT",
        "/api/jetsons/self/status",
        jetson.deviceToken(),
        Map.of(
            "upnp", Map.of("external_ip", "73.1.2.3"), "dns", Map.of("points_to", "2a01:4f8::1")));
    JsonNode good =
        registry
            .registryClient("relay-coordinator")
            .jetsonStatus(jetson.jetsonId())
            .orElseThrow()
            .report();
    assertThat(good.get("upnp").get("external_ip").asString()).isEqualTo("73.1.2.3");
    assertThat(good.get("dns").get("points_to").asString()).isEqualTo("2a01:4f8::1");
    assertThat(good.has("refused_addresses")).isFalse();
  }

  @Test
  void theAgentReportsAndTheWebAppReadsTheLastReportWithItsAge() {
    String name = SharedRegistry.name("status");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano");
    String path = "/api/jetsons/" + jetson.jetsonId() + "/status";
    Problems.assertProblem(registry.call("GET", path, account.apiKey(), null), 404);

    RunningRegistry.Response put =
        registry.call("PUT", "/api/jetsons/self/status", jetson.deviceToken(), SEED_STATUS);
    assertThat(put.status()).as(put.body()).isEqualTo(200);

    RunningRegistry.Response read = registry.call("GET", path, account.apiKey(), null);
    assertThat(read.status()).isEqualTo(200);
    JsonNode body = read.json();
    assertThat(body.get("ageSeconds").asLong()).isBetween(0L, 5L);
    assertThat(body.get("receivedAt").asString()).isNotBlank();
    JsonNode report = body.get("report");
    assertThat(report.get("wireguard").get("interface").asString()).isEqualTo("wg0");
    assertThat(report.get("wireguard").get("peers").get(0).get("transfer_rx").asLong())
        .isEqualTo(1048576);
    assertThat(report.get("dns").get("points_to").asString()).isEqualTo("73.1.2.3");
    assertThat(report.get("relay").get("connected").asBoolean()).isTrue();

    // not the seed's shape: refused, last report unchanged
    Problems.assertProblem(
        registry.call("PUT", "/api/jetsons/self/status", jetson.deviceToken(), Map.of("bogus", 1)),
        400);
    Problems.assertProblem(
        registry.call(
            "PUT",
            "/api/jetsons/self/status",
            jetson.deviceToken(),
            Map.of("upnp", Map.of("external_port", "not-a-port"))),
        400);
    Problems.assertProblem(
        registry.call(
            "PUT",
            "/api/jetsons/self/status",
            jetson.deviceToken(),
            Map.of("connection", Map.of("mode", "teleport"))),
        400);
    assertThat(registry.call("GET", path, account.apiKey(), null).json().get("report").get("upnp"))
        .isNotNull();
  }

  @Test
  void onlyTheFirstReportAndAChangeOfConnectionModeAreAudited() {
    String name = SharedRegistry.name("mode");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano");
    for (String mode : List.of("direct", "direct", "relay", "relay", "direct")) {
      RunningRegistry.Response put =
          registry.call(
              "PUT",
              "/api/jetsons/self/status",
              jetson.deviceToken(),
              Map.of("connection", Map.of("mode", mode)));
      assertThat(put.status()).isEqualTo(200);
    }
    // a report without a mode changes nothing either
    registry.call(
        "PUT", "/api/jetsons/self/status", jetson.deviceToken(), Map.of("agent", Map.of()));

    JsonNode events =
        registry.call("GET", "/api/audit-events?size=100", account.apiKey(), null).json();
    List<String> statusEvents = new java.util.ArrayList<>();
    for (JsonNode e : events.get("items")) {
      String action = e.get("action").asString();
      if (action.startsWith("status.")) {
        statusEvents.add(action + " " + e.get("details").get("mode").asString());
      }
    }
    // newest first
    assertThat(statusEvents)
        .containsExactly(
            "status.mode-change direct", "status.mode-change relay", "status.first-report direct");
  }

  @Test
  void mutationsAndFailedAuthenticationsAreAuditedAndPaged() {
    String name = SharedRegistry.name("audit");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano");
    registry.addDevice(jetson.jetsonId(), 1, "phone", X25519.generate().publicKey().base64());

    registry.call(
        "GET", "/api/accounts/" + name, "spoq_key_wrongwrongwrongwrongwrongwrongwrongwro", null);

    JsonNode own =
        registry.call("GET", "/api/audit-events?size=100", account.apiKey(), null).json();
    Set<String> actions = new HashSet<>();
    for (JsonNode e : own.get("items")) {
      actions.add(e.get("action").asString());
      assertThat(e.get("accountId").asString()).isEqualTo(account.id().toString());
      assertThat(e.get("occurredAt").asString()).isNotBlank();
      assertThat(e.get("outcome").asString()).isIn("SUCCESS", "FAILURE", "DENIED");
    }
    assertThat(actions)
        .contains(
            "account.create",
            "api-key.create",
            "enrollment-code.create",
            "jetson.enroll",
            "device.create");
    JsonNode device = null;
    for (JsonNode e : own.get("items")) {
      if (e.get("action").asString().equals("device.create")) {
        device = e;
      }
    }
    assertThat(device.get("actor").asString()).startsWith("admin:");
    assertThat(device.get("sourceIp").asString()).isEqualTo("127.0.0.1");
    assertThat(device.get("target").asString()).contains("jetson:" + jetson.jetsonId());
    assertThat(device.get("details").get("address").asString()).isEqualTo("10.100.0.10");

    // the failed authentication is visible to admins (it belongs to no account)
    JsonNode failures =
        registry
            .call(
                "GET",
                "/api/audit-events?action=auth.failed&outcome=FAILURE&size=500",
                registry.adminKey(),
                null)
            .json();
    boolean found = false;
    for (JsonNode e : failures.get("items")) {
      found |= e.get("target").asString().equals("GET /api/accounts/" + name);
    }
    assertThat(found).isTrue();

    // paging
    JsonNode page0 =
        registry.call("GET", "/api/audit-events?page=0&size=2", account.apiKey(), null).json();
    JsonNode page1 =
        registry.call("GET", "/api/audit-events?page=1&size=2", account.apiKey(), null).json();
    assertThat(page0.get("items").size()).isEqualTo(2);
    assertThat(page0.get("totalElements").asLong()).isEqualTo(own.get("totalElements").asLong());
    assertThat(page0.get("items").get(0).get("id").asLong())
        .isGreaterThan(page1.get("items").get(0).get("id").asLong());
    Problems.assertProblem(
        registry.call("GET", "/api/audit-events?size=100000", account.apiKey(), null), 400);
    Problems.assertProblem(
        registry.call("GET", "/api/audit-events?outcome=whatever", account.apiKey(), null), 400);
  }
}
