package dev.spoq.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.audit.DenialAudit;
import dev.spoq.relay.support.RelayServiceTest;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * Issue 13 items 4, 6, 7, 10, 12 against the running service and the real registry: failed
 * authentication is limited per source (429 + Retry-After) and audited as one row per source and
 * window with a count; another tenant's resource answers like a missing one (404) and is audited;
 * 401 carries WWW-Authenticate and comes before any body validation; null samples are a 400.
 */
@TestPropertySource(properties = "spoq.relay.auth.max-failures-per-window=5")
class AuthHardeningTest extends RelayServiceTest {

  @Autowired AuthFailureLimiter limiter;
  @Autowired DenialAudit denials;

  @BeforeEach
  void freshCounters() {
    limiter.clear();
    denials.flush();
  }

  private long auditRows(String sql, Object... params) throws Exception {
    var db = registry().database();
    try (var conn = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        var st = conn.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        st.setObject(i + 1, params[i]);
      }
      var rs = st.executeQuery();
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void unauthorisedIsA401WithChallengeBeforeAnyBodyValidation() {
    Answer a = call("POST", "/api/relays", null, Map.of("nonsense", true));
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.headers().first("WWW-Authenticate")).isEqualTo("Bearer realm=\"spoq\"");
    assertThat(a.headers().first("Content-Type")).startsWith("application/problem+json");
    assertThat(a.body()).doesNotContain("region").doesNotContain("publicHost");
    Answer malformed = call("POST", "/api/relay/latency", null, "{\"samples\":");
    assertThat(malformed.status()).isEqualTo(401);
  }

  @Test
  void failuresPerSourceAreLimitedAndAuditedAsOneRowWithACount() throws Exception {
    String marker = "/api/relays/limit-" + System.nanoTime();
    for (int i = 0; i < 5; i++) {
      assertThat(call("GET", marker, randomToken("spoq_key"), null).status()).isEqualTo(401);
    }
    Answer limited = call("GET", marker, randomToken("spoq_key"), null);
    assertThat(limited.status()).isEqualTo(429);
    assertThat(Integer.parseInt(limited.headers().first("Retry-After"))).isBetween(1, 61);
    assertThat(limited.headers().first("Content-Type")).startsWith("application/problem+json");
    // while limited, even a valid key from that address waits (no registry call is made)
    assertThat(call("GET", "/api/relays", admin(), null).status()).isEqualTo(429);
    for (int i = 0; i < 50; i++) {
      call("GET", marker, randomToken("spoq_dev"), null);
    }
    denials.flush();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        auditRows(
                            "SELECT count(*) FROM registry.audit_event WHERE action = 'auth.failed'"
                                + " AND target = ? AND source_ip = '127.0.0.1'"
                                + " AND (details->>'count')::int = 5",
                            marker))
                    .isEqualTo(1));
    limiter.clear();
    assertThat(call("GET", "/api/relays", admin(), null).status()).isEqualTo(200);
  }

  @Test
  void anotherTenantsJetsonIsA404LikeAMissingOneAndIsAudited() throws Exception {
    relay("eu-1", "eu", 47000, 47099, 100);
    health.pollAll();
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    RunningRegistry.EnrolledJetson bob = jetson("bob");
    String bobKey = accountOf(bob).apiKey();

    Answer foreign = call("GET", "/api/connect/" + alice.subdomain(), bobKey, null);
    Answer missing = call("GET", "/api/connect/nosuchname", bobKey, null);
    assertThat(foreign.status()).isEqualTo(404);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(foreign.json().get("detail")).isEqualTo(missing.json().get("detail"));
    assertThat(call("GET", "/api/connect/" + alice.subdomain(), bob.deviceToken(), null).status())
        .isEqualTo(404);

    Answer usageForeign =
        call("GET", "/api/usage/jetsons/" + alice.jetsonId(), bob.deviceToken(), null);
    Answer usageForeignKey = call("GET", "/api/usage/jetsons/" + alice.jetsonId(), bobKey, null);
    Answer usageMissing =
        call("GET", "/api/usage/jetsons/" + java.util.UUID.randomUUID(), bobKey, null);
    assertThat(usageForeign.status()).isEqualTo(404);
    assertThat(usageForeignKey.status()).isEqualTo(404);
    assertThat(usageMissing.status()).isEqualTo(404);
    assertThat(usageForeignKey.json().get("detail")).isEqualTo(usageMissing.json().get("detail"));
    // a non-admin on the fleet API is refused and audited too
    assertThat(call("GET", "/api/relays", bobKey, null).status()).isEqualTo(403);

    denials.flush();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        auditRows(
                            "SELECT coalesce(sum((details->>'count')::int), 0) FROM"
                                + " registry.audit_event WHERE action = 'relay.access.denied'"
                                + " AND outcome = 'DENIED' AND actor IN (?, ?)"
                                + " AND service = 'relay-coordinator'",
                            "user:" + bob.username(),
                            "jetson:" + bob.jetsonId()))
                    .isEqualTo(5));
  }

  @Test
  void nullLatencySamplesAreABadRequest() {
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    Answer a = call("POST", "/api/relay/latency", alice.deviceToken(), "{\"samples\":[null]}");
    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.headers().first("Content-Type")).startsWith("application/problem+json");
    assertThat(
            call(
                    "POST",
                    "/api/relay/latency",
                    alice.deviceToken(),
                    "{\"samples\":[{\"region\":\"eu\",\"rttMs\":5},null]}")
                .status())
        .isEqualTo(400);
  }

  @Test
  void refusedFrpsLoginsAreLimitedPerClientAddressAndAggregated() throws Exception {
    relay("eu-1", "eu", 47000, 47099, 100);
    String path = "/frps-plugin/" + PLUGIN_SECRET + "/eu-1/handler?op=Login";
    String address = "198.51.100." + (1 + (int) (System.nanoTime() % 200)) + ":5000";
    for (int i = 0; i < 30; i++) {
      Map<String, Object> content =
          Map.of(
              "user",
              "",
              "run_id",
              "r" + i,
              "metas",
              Map.of("spoq_relay_credential", randomToken("spoq_rly")),
              "client_address",
              address);
      Answer a =
          call("POST", path, null, Map.of("version", "0.1.0", "op", "Login", "content", content));
      assertThat(a.status()).isEqualTo(200);
      assertThat(a.json().get("reject").asBoolean()).isTrue();
      if (i >= 5) {
        assertThat(a.json().get("reject_reason").asString()).contains("too many refused logins");
      }
    }
    assertThat(
            jdbc.sql("SELECT count(*) FROM plugin_event WHERE op = 'Login'")
                .query(Integer.class)
                .single())
        .isZero();
    denials.flush();
    String ip = address.substring(0, address.indexOf(':'));
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        auditRows(
                            "SELECT coalesce(sum((details->>'count')::int), 0) FROM registry.audit_event"
                                + " WHERE action = 'relay.plugin.denied' AND source_ip = ?",
                            ip))
                    .isEqualTo(30));
    assertThat(
            auditRows(
                "SELECT count(*) FROM registry.audit_event WHERE action = 'relay.plugin.denied' AND source_ip = ?",
                ip))
        .isLessThanOrEqualTo(2);
  }

  @Test
  void commonHardeningAppliesHereToo() {
    // issue 13 items 1, 5, 11, 12 (built once in common by the registry helper): management
    // endpoints need an admin key, ambiguous paths are refused, wrong JSON types are 400
    assertThat(call("GET", "/actuator/prometheus", null, null).status()).isIn(401, 403);
    assertThat(
            call("GET", "/actuator/prometheus", accountOf(jetson("eve")).apiKey(), null).status())
        .isIn(401, 403);
    assertThat(call("GET", "/actuator/prometheus", admin(), null).status()).isEqualTo(200);
    assertThat(call("GET", "/%61ctuator/prometheus", null, null).status()).isIn(400, 401, 403, 404);
    assertThat(call("GET", "/actuator;x/prometheus", null, null).status()).isIn(400, 401, 403);
    assertThat(call("GET", "/actuator/health/readiness", null, null).status()).isEqualTo(200);
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("id", "eu-9");
    body.put("region", "eu");
    body.put("publicHost", "x.spoq.test");
    body.put("bindPort", 7000);
    body.put("udpPortRange", Map.of("start", 40000, "end", 40099));
    body.put("capacity", 1.5);
    body.put("adminUrl", "http://10.0.0.5:7500");
    body.put("adminUser", "admin");
    body.put("adminPassword", "pw");
    assertThat(call("POST", "/api/relays", admin(), body).status()).isEqualTo(400);
    body.put("capacity", 10);
    body.put("region", true);
    assertThat(call("POST", "/api/relays", admin(), body).status()).isEqualTo(400);
  }

  @Test
  void behindTheProxyTheLimitIsPerForwardedClient() throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    java.util.function.Function<String, Integer> badFrom =
        client -> {
          try {
            return http.send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/api/relays"))
                        .header("Authorization", "Bearer " + randomToken("spoq_key"))
                        .header("X-Forwarded-For", client)
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    for (int i = 0; i < 5; i++) {
      assertThat(badFrom.apply("81.2.69.5")).isEqualTo(401);
    }
    assertThat(badFrom.apply("81.2.69.5")).isEqualTo(429);
    // another client behind the same proxy is not locked out
    assertThat(badFrom.apply("81.2.69.6")).isEqualTo(401);
  }
}
