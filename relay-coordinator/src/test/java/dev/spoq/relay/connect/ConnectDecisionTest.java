package dev.spoq.relay.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.JetsonStatus;
import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.assignment.AssignmentRepository;
import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.fleet.RelayRepository;
import dev.spoq.relay.relayserver.RelaySessions;
import dev.spoq.relay.support.RelayServiceTest;
import dev.spoq.relay.support.RunningDnsApi;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/connect/{subdomain}} with status reports the agent PUT into the real registry and
 * DNS records the agent published through the real dns-api (contract C6).
 */
class ConnectDecisionTest extends RelayServiceTest {

  @Autowired ConnectionDecisionService decisions;
  @Autowired AssignmentRepository assignmentRepository;
  @Autowired RelayRepository relayRepository;
  @Autowired RelayProperties properties;
  @Autowired RelaySessions relaySessions;

  private RunningRegistry.EnrolledJetson alice;
  private JsonNode assignment;

  @BeforeEach
  void setUp() throws Exception {
    relay("eu-1", "eu", 47000, 47099, 100);
    health.pollAll();
    alice = jetson("alice");
    assignment = call("GET", "/api/relay/assignment", alice.deviceToken(), null).json();
  }

  private static Map<String, Object> report(
      String upnpStatus, String externalIp, int port, String pointsTo, String mode) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("upnp", Map.of("status", upnpStatus, "external_ip", externalIp, "external_port", port));
    r.put("dns", Map.of("subdomain", "x.spoq.dev", "points_to", pointsTo));
    r.put("relay", Map.of("connected", true, "server", "eu-1.relay.spoq.test"));
    if (mode != null) {
      r.put("connection", Map.of("mode", mode));
    }
    return r;
  }

  private JsonNode connect(String bearer) {
    Answer answer = call("GET", "/api/connect/" + alice.subdomain(), bearer, null);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }

  private void published(String ip, String path) {
    assertThat(RunningDnsApi.get().publish(alice.deviceToken(), alice.subdomain(), ip, path))
        .as("dns-api applied the update")
        .isEqualTo(200);
  }

  @Test
  void directFirstWhenUpnpActiveAndDnsApiPublishesThePublicAddressThenRelay() {
    published("81.2.69.23", null);
    registry()
        .reportStatus(
            alice.deviceToken(), report("active", "81.2.69.23", 51999, "81.2.69.23", null));
    JsonNode d = connect(accountOf(alice).apiKey());
    JsonNode endpoints = d.get("endpoints");
    assertThat(endpoints.size()).isEqualTo(2);
    assertThat(endpoints.get(0).get("type").asString()).isEqualTo("direct");
    assertThat(endpoints.get(0).get("endpoint").asString())
        .isEqualTo(alice.subdomain() + ".spoq.dev:51999");
    assertThat(endpoints.get(0).get("address").asString()).isEqualTo("81.2.69.23");
    assertThat(endpoints.get(0).get("reason").asString())
        .contains("UPnP mapping active")
        .contains("dns-api publishes")
        .contains("81.2.69.23");
    assertThat(endpoints.get(1).get("type").asString()).isEqualTo("relay");
    assertThat(endpoints.get(1).get("endpoint").asString())
        .isEqualTo("eu-1.relay.spoq.test:" + assignment.get("remotePort").asInt());
    assertThat(endpoints.get(1).get("reason").asString()).contains("frpc connected");
    // the Jetson's own device token and an admin key get the same answer
    assertThat(connect(alice.deviceToken()).get("endpoints").size()).isEqualTo(2);
    assertThat(connect(admin()).get("endpoints").size()).isEqualTo(2);
  }

  @Test
  void onlyRelayWhenDnsDoesNotMatchOrUpnpInactive() {
    published("81.2.69.9", null);
    registry()
        .reportStatus(
            alice.deviceToken(), report("active", "81.2.69.23", 51820, "81.2.69.9", null));
    JsonNode d = connect(accountOf(alice).apiKey());
    assertThat(d.get("endpoints").size()).isEqualTo(1);
    assertThat(d.get("endpoints").get(0).get("type").asString()).isEqualTo("relay");
    assertThat(d.get("notes").toString())
        .contains("publishes 81.2.69.9, which does not match the router's public address");

    registry()
        .reportStatus(
            alice.deviceToken(), report("failed", "81.2.69.23", 51820, "81.2.69.23", null));
    d = connect(accountOf(alice).apiKey());
    assertThat(d.get("endpoints").size()).isEqualTo(1);
    assertThat(d.get("notes").toString()).contains("no active UPnP");
  }

  @Test
  void relayFirstWhenTheAgentSaysItIsOnTheRelayPath() {
    published("81.2.69.23", null);
    registry()
        .reportStatus(
            alice.deviceToken(), report("active", "81.2.69.23", 51820, "81.2.69.23", "relay"));
    JsonNode endpoints = connect(accountOf(alice).apiKey()).get("endpoints");
    assertThat(endpoints.get(0).get("type").asString()).isEqualTo("relay");
    assertThat(endpoints.get(1).get("type").asString()).isEqualTo("direct");
  }

  @Test
  void noReportOrStaleReportMeansNoDirect() throws Exception {
    published("81.2.69.23", null);
    JsonNode d = connect(accountOf(alice).apiKey());
    assertThat(d.get("endpoints").size()).isEqualTo(1);
    assertThat(d.get("notes").toString()).contains("has not reported");

    JetsonSummary summary =
        new JetsonSummary(
            alice.jetsonId(),
            alice.accountId(),
            alice.username(),
            alice.subdomain(),
            alice.fqdn(),
            alice.publicKey(),
            false);
    JsonNode report = JSON.valueToTree(report("active", "81.2.69.23", 51820, "81.2.69.23", null));
    var stale =
        decisions.decide(
            summary, Optional.of(new JetsonStatus(Instant.now().minusSeconds(600), report)));
    assertThat(stale.endpoints())
        .extracting(ConnectionDecisionService.Endpoint::type)
        .containsExactly("relay");
    assertThat(stale.notes()).anyMatch(n -> n.contains("600 s old") || n.contains("s old"));
    var fresh =
        decisions.decide(
            summary, Optional.of(new JetsonStatus(Instant.now().minusSeconds(30), report)));
    assertThat(fresh.endpoints())
        .extracting(ConnectionDecisionService.Endpoint::type)
        .containsExactly("direct", "relay");
  }

  @Test
  void theAgentsReportAloneNeverVouchesForDirect() {
    // The report claims UPnP and DNS agree on a public address, but dns-api never published it.
    registry()
        .reportStatus(
            alice.deviceToken(), report("active", "81.2.69.44", 51999, "81.2.69.44", "direct"));

    JsonNode d = connect(accountOf(alice).apiKey());

    assertThat(d.get("endpoints").size()).isEqualTo(1);
    assertThat(d.get("endpoints").get(0).get("type").asString()).isEqualTo("relay");
    assertThat(d.get("notes").toString())
        .contains("dns-api publishes no address for " + alice.subdomain() + ".spoq.dev");
  }

  @Test
  void aNamePublishedOnTheRelayPathGetsNoDirectOffer() {
    published("81.2.69.23", null);
    published("45.76.30.2", "relay");
    registry()
        .reportStatus(
            alice.deviceToken(), report("active", "45.76.30.2", 51999, "45.76.30.2", null));

    JsonNode d = connect(accountOf(alice).apiKey());

    assertThat(d.get("endpoints").size()).isEqualTo(1);
    assertThat(d.get("endpoints").get(0).get("type").asString()).isEqualTo("relay");
    assertThat(d.get("notes").toString()).contains("is published on the relay path (45.76.30.2)");
  }

  @Test
  void withoutDnsApiThereIsNoDirectOfferButTheRelayStays() throws Exception {
    published("81.2.69.23", null);
    registry()
        .reportStatus(
            alice.deviceToken(), report("active", "81.2.69.23", 51999, "81.2.69.23", null));
    JetsonSummary summary = summaryOf(alice);
    Optional<JetsonStatus> status =
        Optional.of(
            new JetsonStatus(
                Instant.now(),
                JSON.valueToTree(report("active", "81.2.69.23", 51999, "81.2.69.23", null))));
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }

    var unreachable =
        decisionsAskingDnsApiAt("http://127.0.0.1:" + closedPort, RunningDnsApi.COORDINATOR_TOKEN)
            .decide(summary, status);
    var wrongToken =
        decisionsAskingDnsApiAt(RunningDnsApi.get().baseUrl(), "svc-not-the-coordinator")
            .decide(summary, status);
    var notConfigured = decisionsAskingDnsApiAt("", "").decide(summary, status);
    var configured = decisions.decide(summary, status);

    assertThat(configured.endpoints())
        .extracting(ConnectionDecisionService.Endpoint::type)
        .containsExactly("direct", "relay");
    assertThat(unreachable.endpoints())
        .extracting(ConnectionDecisionService.Endpoint::type)
        .containsExactly("relay");
    assertThat(unreachable.notes()).anyMatch(n -> n.contains("dns-api is unreachable"));
    assertThat(wrongToken.endpoints())
        .extracting(ConnectionDecisionService.Endpoint::type)
        .containsExactly("relay");
    assertThat(wrongToken.notes()).anyMatch(n -> n.contains("dns-api answered HTTP 401"));
    assertThat(notConfigured.endpoints())
        .extracting(ConnectionDecisionService.Endpoint::type)
        .containsExactly("relay");
    assertThat(notConfigured.notes()).anyMatch(n -> n.contains("dns-api is not configured"));
  }

  @Test
  void aSilentDnsApiCostsAtMostTheTimeout() throws Exception {
    JetsonSummary summary = summaryOf(alice);
    Optional<JetsonStatus> status =
        Optional.of(
            new JetsonStatus(
                Instant.now(),
                JSON.valueToTree(report("active", "81.2.69.23", 51999, "81.2.69.23", null))));
    // Accepts TCP connections (backlog) and never answers.
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      long start = System.nanoTime();
      var decision =
          decisionsAskingDnsApiAt(
                  "http://127.0.0.1:" + silent.getLocalPort(), RunningDnsApi.COORDINATOR_TOKEN)
              .decide(summary, status);
      long millis = (System.nanoTime() - start) / 1_000_000;

      assertThat(decision.endpoints())
          .extracting(ConnectionDecisionService.Endpoint::type)
          .containsExactly("relay");
      assertThat(decision.notes()).anyMatch(n -> n.contains("dns-api is unreachable"));
      assertThat(millis).isBetween(400L, 3_000L);
    }
  }

  private ConnectionDecisionService decisionsAskingDnsApiAt(String baseUrl, String token) {
    return new ConnectionDecisionService(
        assignmentRepository,
        relayRepository,
        properties,
        Clock.systemUTC(),
        relaySessions,
        new PublishedDns(
            new RelayProperties.DnsApi(
                baseUrl, token, Duration.ofMillis(500), Duration.ofMillis(500))));
  }

  private static JetsonSummary summaryOf(RunningRegistry.EnrolledJetson jetson) {
    return new JetsonSummary(
        jetson.jetsonId(),
        jetson.accountId(),
        jetson.username(),
        jetson.subdomain(),
        jetson.fqdn(),
        jetson.publicKey(),
        false);
  }

  @Test
  void isolationAndBadInput() {
    RunningRegistry.EnrolledJetson bob = jetson("bob");
    assertThat(
            call("GET", "/api/connect/" + alice.subdomain(), accountOf(bob).apiKey(), null)
                .status())
        .isEqualTo(404);
    assertThat(call("GET", "/api/connect/" + alice.subdomain(), bob.deviceToken(), null).status())
        .isEqualTo(404);
    assertThat(call("GET", "/api/connect/" + alice.subdomain(), null, null).status())
        .isEqualTo(401);
    assertThat(
            call("GET", "/api/connect/" + alice.subdomain(), randomToken("spoq_key"), null)
                .status())
        .isEqualTo(401);
    assertThat(call("GET", "/api/connect/nosuchjetson0000", admin(), null).status()).isEqualTo(404);
    assertThat(call("GET", "/api/connect/BAD..name", admin(), null).status()).isEqualTo(404);
    registry().revokeJetson(bob.jetsonId());
    assertThat(call("GET", "/api/connect/" + bob.subdomain(), admin(), null).status())
        .isEqualTo(410);
  }
}
