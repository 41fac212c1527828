package dev.spoq.relay.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.support.RelayServiceTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The agent-facing API with a Jetson enrolled in the real registry. */
class AgentApiTest extends RelayServiceTest {

  @Test
  void assignmentCarriesAReadyFrpcConfigAndMovesOnlyForMuchBetterLatency() throws Exception {
    relay("us-1", "us", 48000, 48099, 100);
    relay("eu-1", "eu", 48000, 48099, 100);
    relay("asia-1", "asia", 48000, 48099, 100);
    health.pollAll();
    RunningRegistry.EnrolledJetson alice = jetson("alice");

    Answer first = call("GET", "/api/relay/assignment", alice.deviceToken(), null);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.headers().first("Cache-Control")).contains("no-store");
    JsonNode a = first.json();
    assertThat(a.get("jetsonId").asString()).isEqualTo(alice.jetsonId().toString());
    assertThat(a.get("relay").get("id").asString()).isEqualTo("us-1");
    assertThat(a.get("reason").asString()).contains("default region us");
    assertThat(a.get("changed").asBoolean()).isTrue();
    assertThat(a.get("proxyName").asString()).isEqualTo("spoq-" + alice.jetsonId());
    assertThat(a.get("endpoint").asString()).isEqualTo("us-1.relay.spoq.test:48000");
    assertThat(a.get("relayCredential").asString()).startsWith("spoq_rly_").hasSize(52);
    assertThat(a.get("fallbacks"))
        .extracting(n -> n.get("id").asString())
        .containsExactly("asia-1", "eu-1");
    assertThat(a.get("regions"))
        .extracting(n -> n.get("region").asString())
        .containsExactly("asia", "eu", "us");
    assertThat(a.toString()).doesNotContain("pw-us-1").doesNotContain("adminPassword");
    assertThat(a.get("frpcConfigFormat").asString()).isEqualTo("toml");
    FrpcConfigRendererTest.assertFrpcConfig(
        a.get("frpcConfig").asString(),
        alice.jetsonId(),
        "us-1.relay.spoq.test",
        7000,
        48000,
        FRPS_TOKEN,
        a.get("relayCredential").asString());
    // only the hash is stored
    String stored =
        jdbc.sql("SELECT token_hash FROM relay_credential WHERE jetson_id = ?")
            .param(alice.jetsonId())
            .query(String.class)
            .single();
    assertThat(stored)
        .isEqualTo(dev.spoq.common.token.Tokens.hash(a.get("relayCredential").asString()));

    // sticky on the next call
    JsonNode again = call("GET", "/api/relay/assignment", alice.deviceToken(), null).json();
    assertThat(again.get("changed").asBoolean()).isFalse();
    assertThat(again.get("remotePort").asInt()).isEqualTo(48000);
    assertThat(again.get("relayCredential").asString())
        .isEqualTo(a.get("relayCredential").asString());

    // latency: us 120 ms, eu 80 ms -> 40 ms better: not enough, stays
    latency(alice, Map.of("us", 120.0, "eu", 80.0, "asia", 260.0));
    assertThat(relayOf(alice)).isEqualTo("us-1");
    // eu 30 ms: 90 ms better and 0.25x -> moves
    latency(alice, Map.of("us", 120.0, "eu", 30.0));
    JsonNode moved = call("GET", "/api/relay/assignment", alice.deviceToken(), null).json();
    assertThat(moved.get("relay").get("id").asString()).isEqualTo("eu-1");
    assertThat(moved.get("changed").asBoolean()).isTrue();
    assertThat(moved.get("reason").asString()).contains("moved from us-1").contains("much faster");
    assertThat(moved.get("fallbacks").get(0).get("id").asString()).isEqualTo("us-1");
  }

  private void latency(RunningRegistry.EnrolledJetson j, Map<String, Double> rtts) {
    List<Map<String, Object>> samples =
        rtts.entrySet().stream()
            .map(e -> Map.<String, Object>of("region", e.getKey(), "rttMs", e.getValue()))
            .toList();
    Answer answer = call("POST", "/api/relay/latency", j.deviceToken(), Map.of("samples", samples));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().get("stored").asInt()).isEqualTo(rtts.size());
  }

  private String relayOf(RunningRegistry.EnrolledJetson j) {
    return call("GET", "/api/relay/assignment", j.deviceToken(), null)
        .json()
        .get("relay")
        .get("id")
        .asString();
  }

  @Test
  void noRelayUpIsAClear503() throws Exception {
    relay("us-1", "us", 48000, 48099, 100); // never polled: UNKNOWN
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    Answer answer = call("GET", "/api/relay/assignment", alice.deviceToken(), null);
    assertThat(answer.status()).isEqualTo(503);
    assertThat(answer.json().get("type").asString()).endsWith("/no-relay-available");
  }

  @Test
  void agentEndpointsWantTheDeviceTokenAndValidInput() throws Exception {
    relay("us-1", "us", 48000, 48099, 100);
    health.pollAll();
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    String token = alice.deviceToken();
    assertThat(call("GET", "/api/relay/assignment", null, null).status()).isEqualTo(401);
    assertThat(call("GET", "/api/relay/assignment", randomToken("spoq_dev"), null).status())
        .isEqualTo(401);
    assertThat(call("GET", "/api/relay/assignment", accountOf(alice).apiKey(), null).status())
        .isEqualTo(403);
    assertThat(call("GET", "/api/relay/assignment", admin(), null).status()).isEqualTo(403);
    assertThat(call("POST", "/api/relay/credential/rotate", admin(), null).status()).isEqualTo(403);

    assertThat(call("POST", "/api/relay/latency", token, Map.of("samples", List.of())).status())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "/api/relay/latency",
                    token,
                    Map.of("samples", List.of(Map.of("region", "EU!", "rttMs", 3))))
                .status())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "/api/relay/latency",
                    token,
                    Map.of("samples", List.of(Map.of("region", "eu", "rttMs", -1))))
                .status())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "/api/relay/latency",
                    token,
                    Map.of(
                        "samples",
                        List.of(
                            Map.of("region", "eu", "rttMs", 3),
                            Map.of("region", "eu", "rttMs", 4))))
                .status())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    "/api/relay/latency",
                    token,
                    "{\"samples\":[{\"region\":\"eu\",\"rttMs\":1,\"x\":2}]}")
                .status())
        .isEqualTo(400);
    assertThat(call("POST", "/api/relay/latency", token, "{\"samples\": [").status())
        .isEqualTo(400);
    assertThat(jdbc.sql("SELECT count(*) FROM latency_report").query(Integer.class).single())
        .isZero();

    // a revoked Jetson's device token stops working (registry introspection, short cache)
    registry().revokeJetson(alice.jetsonId());
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(call("GET", "/api/relay/assignment", token, null).status())
                    .isEqualTo(401));
  }
}
