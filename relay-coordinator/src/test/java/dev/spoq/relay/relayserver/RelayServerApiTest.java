package dev.spoq.relay.relayserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.token.Tokens;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.protocol.SessionKeys;
import dev.spoq.relay.support.RelayServiceTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Contract C2 against the running service: spoq relay registration and its token, the Jetson set
 * (ETag, long-poll without a thread per waiter, session keys per C1, public keys from the real
 * registry), reports (health, reset-safe usage, live sessions), the agent's assignment and the
 * connect answer for a spoq relay.
 */
class RelayServerApiTest extends RelayServiceTest {

  private static final HttpClient ASYNC = HttpClient.newHttpClient();

  private String spoqRelay(String id, String region, int capacity) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("kind", "spoq");
    body.put("region", region);
    body.put("publicHost", id + ".relay.spoq.test");
    body.put("capacity", capacity);
    Answer created = call("POST", "/api/relays", admin(), body);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json().get("relayToken").asString();
  }

  private Answer report(String id, String token, Instant startedAt, List<Map<String, Object>> s) {
    return call(
        "POST",
        "/internal/v1/relay-servers/" + id + "/report",
        token,
        Map.of("startedAt", startedAt.toString(), "sessions", s));
  }

  private static Map<String, Object> session(
      RunningRegistry.EnrolledJetson j, long toJetson, long fromJetson) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jetsonId", j.jetsonId().toString());
    m.put("agentAddress", "198.51.100.7:40123");
    m.put("upSince", "2026-11-30T04:00:00Z");
    m.put("clients", 2);
    m.put("bytesToJetson", toJetson);
    m.put("bytesFromJetson", fromJetson);
    return m;
  }

  private Answer jetsons(String id, String token, String etag, String wait) {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + port
                        + "/internal/v1/relay-servers/"
                        + id
                        + "/jetsons"
                        + (wait == null ? "" : "?wait=" + wait)))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(60));
    if (etag != null) {
      r.header("If-None-Match", etag);
    }
    try {
      HttpResponse<String> resp = ASYNC.send(r.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(resp.statusCode(), resp.body(), new HttpHeadersView(resp.headers().map()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** C1 as relay-server and the agent compute it: the shared relay-protocol derivation. */
  private static String sessionKey(String credential) {
    return Base64.getEncoder().encodeToString(SessionKeys.derive(credential));
  }

  @Test
  void registrationShowsTheTokenOnceAndStoresOnlyItsHash() {
    String token = spoqRelay("sp-1", "eu", 100);
    assertThat(token).startsWith("spoq_rls_");
    assertThat(Tokens.looksValid(token)).isTrue();
    String stored =
        jdbc.sql("SELECT token_hash FROM relay WHERE id = 'sp-1'").query(String.class).single();
    assertThat(stored).isEqualTo(Tokens.hash(token)).doesNotContain(token);
    JsonNode view = call("GET", "/api/relays/sp-1", admin(), null).json();
    assertThat(view.get("kind").asString()).isEqualTo("spoq");
    assertThat(view.get("wgPort").asInt()).isEqualTo(51820);
    assertThat(view.get("agentPort").asInt()).isEqualTo(51821);
    assertThat(view.get("status").asString()).isEqualTo("UNKNOWN");
    assertThat(view.has("relayToken")).isFalse();
    assertThat(view.has("bindPort")).isFalse();
    assertThat(call("GET", "/api/relays", admin(), null).body()).doesNotContain(token);

    // rotation: the old token is refused at once, the new one works
    Answer rotated = call("POST", "/api/relays/sp-1/token/rotate", admin(), null);
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
    String fresh = rotated.json().get("relayToken").asString();
    assertThat(jetsons("sp-1", token, null, null).status()).isEqualTo(401);
    assertThat(jetsons("sp-1", fresh, null, null).status()).isEqualTo(200);
    // frp settings on a spoq relay, and spoq settings on an frp relay, are refused
    Map<String, Object> mixed = new LinkedHashMap<>();
    mixed.put("id", "sp-2");
    mixed.put("kind", "spoq");
    mixed.put("region", "eu");
    mixed.put("publicHost", "sp-2.relay.spoq.test");
    mixed.put("capacity", 10);
    mixed.put("bindPort", 7000);
    assertThat(call("POST", "/api/relays", admin(), mixed).status()).isEqualTo(400);
    assertThat(call("POST", "/api/relays/sp-1/token/rotate", null, null).status()).isEqualTo(401);
  }

  @Test
  void agentGetsASpoqAssignmentAndTheRelayItsJetsonSet() throws Exception {
    String token = spoqRelay("sp-1", "eu", 100);
    assertThat(report("sp-1", token, Instant.now(), List.of()).status()).isEqualTo(204);
    assertThat(call("GET", "/api/relays/sp-1", admin(), null).json().get("status").asString())
        .isEqualTo("UP");

    Answer empty = jetsons("sp-1", token, null, null);
    assertThat(empty.status()).isEqualTo(200);
    assertThat(empty.json().get("jetsons").size()).isZero();
    String emptyVersion = empty.json().get("version").asString();
    assertThat(empty.headers().first("ETag")).isEqualTo("\"" + emptyVersion + "\"");

    RunningRegistry.EnrolledJetson alice = jetson("alice");
    JsonNode a = call("GET", "/api/relay/assignment", alice.deviceToken(), null).json();
    assertThat(a.get("kind").asString()).isEqualTo("spoq");
    assertThat(a.get("relay").get("id").asString()).isEqualTo("sp-1");
    assertThat(a.get("relay").get("host").asString()).isEqualTo("sp-1.relay.spoq.test");
    assertThat(a.get("relay").get("wgPort").asInt()).isEqualTo(51820);
    assertThat(a.get("relay").get("agentPort").asInt()).isEqualTo(51821);
    assertThat(a.get("endpoint").asString()).isEqualTo("sp-1.relay.spoq.test:51820");
    String credential = a.get("credential").asString();
    assertThat(credential).startsWith("spoq_rly_");
    assertThat(a.has("frpcConfig")).isFalse();
    assertThat(a.has("remotePort")).isFalse();

    Answer set = jetsons("sp-1", token, "\"" + emptyVersion + "\"", "0");
    assertThat(set.status()).isEqualTo(200);
    JsonNode member = set.json().get("jetsons").get(0);
    assertThat(member.get("jetsonId").asString()).isEqualTo(alice.jetsonId().toString());
    assertThat(member.get("publicKey").asString()).isEqualTo(alice.publicKey());
    assertThat(member.get("sessionKey").asString()).isEqualTo(sessionKey(credential));
    assertThat(set.body()).doesNotContain(credential);
    String version = set.json().get("version").asString();
    assertThat(version).isNotEqualTo(emptyVersion);

    // unchanged: 304 at once without wait, and after `wait` seconds with it
    assertThat(jetsons("sp-1", token, "\"" + version + "\"", "0").status()).isEqualTo(304);
    long t0 = System.nanoTime();
    Answer held = jetsons("sp-1", token, "\"" + version + "\"", "1");
    assertThat(held.status()).isEqualTo(304);
    assertThat(held.headers().first("ETag")).isEqualTo("\"" + version + "\"");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(900));

    // a held long-poll answers as soon as the set changes (credential rotation here)
    CompletableFuture<Answer> waiting =
        CompletableFuture.supplyAsync(() -> jetsons("sp-1", token, "\"" + version + "\"", "25"));
    Thread.sleep(500);
    long t1 = System.nanoTime();
    String rotated =
        call("POST", "/api/relay/credential/rotate", alice.deviceToken(), null)
            .json()
            .get("credential")
            .asString();
    Answer changed = waiting.get(10, TimeUnit.SECONDS);
    assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofSeconds(2));
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.json().get("jetsons").get(0).get("sessionKey").asString())
        .isEqualTo(sessionKey(rotated));
  }

  @Test
  void longPollsHoldNoThreadEach() throws Exception {
    String token = spoqRelay("sp-1", "eu", 100);
    report("sp-1", token, Instant.now(), List.of());
    String version = jetsons("sp-1", token, null, null).json().get("version").asString();
    // More held long-polls than Tomcat has worker threads (200 by default).
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    for (int i = 0; i < 260; i++) {
      held.add(
          ASYNC.sendAsync(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + port
                              + "/internal/v1/relay-servers/sp-1/jetsons?wait=20"))
                  .header("Authorization", "Bearer " + token)
                  .header("If-None-Match", "\"" + version + "\"")
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    Thread.sleep(1500);
    assertThat(held).noneMatch(CompletableFuture::isDone);
    // the service still answers other requests at once
    long t0 = System.nanoTime();
    assertThat(call("GET", "/api/relays/sp-1", admin(), null).status()).isEqualTo(200);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    // a change releases every waiter with the new set
    RunningRegistry.EnrolledJetson bob = jetson("bob");
    call("GET", "/api/relay/assignment", bob.deviceToken(), null);
    for (CompletableFuture<HttpResponse<String>> f : held) {
      HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains(bob.jetsonId().toString());
    }
  }

  @Test
  void authIsCheckedFirstAndOnlyForTheRelaysOwnId() {
    String token = spoqRelay("sp-1", "eu", 100);
    String other = spoqRelay("sp-2", "eu", 100);
    Answer anonymous = call("POST", "/internal/v1/relay-servers/sp-1/report", null, "{\"x\":1}");
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.headers().first("WWW-Authenticate")).startsWith("Bearer");
    assertThat(anonymous.headers().first("Content-Type")).startsWith("application/problem+json");
    assertThat(anonymous.body()).doesNotContain("startedAt");
    assertThat(jetsons("sp-1", "spoq_rls_" + "A".repeat(43), null, null).status()).isEqualTo(401);
    assertThat(jetsons("sp-1", admin(), null, null).status()).isEqualTo(401);
    // a valid token for another relay: as if the relay did not exist
    assertThat(jetsons("sp-1", other, null, null).status()).isEqualTo(404);
    assertThat(report("sp-2", token, Instant.now(), List.of()).status()).isEqualTo(404);
    assertThat(jetsons("nope", token, null, null).status()).isEqualTo(404);
    // bad input
    assertThat(jetsons("sp-1", token, null, "31").status()).isEqualTo(400);
    assertThat(jetsons("sp-1", token, null, "-1").status()).isEqualTo(400);
    assertThat(jetsons("sp-1", token, null, "abc").status()).isEqualTo(400);
    String base = "/internal/v1/relay-servers/sp-1/report";
    assertThat(call("POST", base, token, "{\"startedAt\":null,\"sessions\":[]}").status())
        .isEqualTo(400);
    assertThat(
            call(
                    "POST",
                    base,
                    token,
                    "{\"startedAt\":\"2026-11-30T00:00:00Z\",\"sessions\":[null]}")
                .status())
        .isEqualTo(400);
    Map<String, Object> evil = new LinkedHashMap<>();
    evil.put("jetsonId", java.util.UUID.randomUUID().toString());
    evil.put("agentAddress", "evil.example:80");
    evil.put("upSince", "2026-11-30T04:00:00Z");
    evil.put("clients", 1);
    evil.put("bytesToJetson", 1);
    evil.put("bytesFromJetson", 1);
    assertThat(report("sp-1", token, Instant.now(), List.of(evil)).status()).isEqualTo(400);
    evil.put("agentAddress", "198.51.100.1:1");
    evil.put("bytesToJetson", -5);
    assertThat(report("sp-1", token, Instant.now(), List.of(evil)).status()).isEqualTo(400);
    assertThat(report("sp-1", token, Instant.now().plus(Duration.ofHours(1)), List.of()).status())
        .isEqualTo(400);
  }

  @Test
  void reportsDriveHealthUsageAndTheConnectAnswer() {
    String token = spoqRelay("sp-1", "eu", 100);
    report("sp-1", token, Instant.now(), List.of());
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    RunningRegistry.EnrolledJetson stranger = jetson("stranger");
    call("GET", "/api/relay/assignment", alice.deviceToken(), null);

    Instant epoch1 = Instant.parse("2026-11-30T04:00:00Z");
    assertThat(
            report("sp-1", token, epoch1, List.of(session(alice, 100, 50), session(stranger, 9, 9)))
                .status())
        .isEqualTo(204);
    assertThat(report("sp-1", token, epoch1, List.of(session(alice, 300, 80))).status())
        .isEqualTo(204);
    // relay-server restarted: its counters begin again from 0 in a new epoch
    Instant epoch2 = Instant.parse("2026-11-30T04:30:00Z");
    assertThat(report("sp-1", token, epoch2, List.of(session(alice, 20, 10))).status())
        .isEqualTo(204);
    JsonNode usage =
        call("GET", "/api/usage/jetsons/" + alice.jetsonId(), alice.deviceToken(), null).json();
    assertThat(usage.get("bytesIn").asLong()).isEqualTo(320);
    assertThat(usage.get("bytesOut").asLong()).isEqualTo(90);
    // the stranger's session (not assigned to this relay) was ignored
    assertThat(
            jdbc.sql("SELECT count(*) FROM jetson_usage WHERE jetson_id = ?")
                .param(stranger.jetsonId())
                .query(Integer.class)
                .single())
        .isZero();

    JsonNode connect =
        call("GET", "/api/connect/" + alice.subdomain(), alice.deviceToken(), null).json();
    JsonNode relay = connect.get("endpoints").get(0);
    assertThat(relay.get("type").asString()).isEqualTo("relay");
    assertThat(relay.get("endpoint").asString()).isEqualTo("sp-1.relay.spoq.test:51820");
    assertThat(relay.get("reason").asString()).contains("live agent session");

    // 30 s without a report: DOWN (the clock is moved by back-dating the last report)
    jdbc.sql("UPDATE relay SET last_report_at = now() - interval '31 seconds' WHERE id = 'sp-1'")
        .update();
    health.checkReports();
    assertThat(call("GET", "/api/relays/sp-1", admin(), null).json().get("status").asString())
        .isEqualTo("DOWN");
    JsonNode after =
        call("GET", "/api/connect/" + alice.subdomain(), alice.deviceToken(), null).json();
    assertThat(after.get("notes").toString()).contains("relay is down");
    // reports again: UP
    report("sp-1", token, epoch2, List.of(session(alice, 20, 10)));
    assertThat(call("GET", "/api/relays/sp-1", admin(), null).json().get("status").asString())
        .isEqualTo("UP");
  }
}
