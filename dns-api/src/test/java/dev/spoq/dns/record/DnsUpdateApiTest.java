package dev.spoq.dns.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spoq.dns.testing.ApiClient.Answer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** {@code POST /api/dns/update} and {@code GET /api/dns/{subdomain}} end to end. */
class DnsUpdateApiTest extends CloudflareBackedTest {

  @Test
  void anUpdateIsStoredAppliedAndReadable() {
    Home alice = newHome("alice");

    Answer answer =
        api.update(alice.token(), body(alice.subdomain(), "73.45.123.89"), someClientAddress());

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("status").asString()).isEqualTo("updated");
    assertThat(answer.json().path("points_to").asString()).isEqualTo("73.45.123.89");
    List<JsonNode> records = CLOUDFLARE.records("A", alice.fqdn());
    assertThat(records).hasSize(1);
    assertThat(records.get(0).path("content").asString()).isEqualTo("73.45.123.89");
    assertThat(records.get(0).path("ttl").asInt()).isEqualTo(60);
    assertThat(records.get(0).path("proxied").asBoolean()).isFalse();

    Answer status = api.get("/api/dns/" + alice.subdomain(), alice.token(), someClientAddress());
    assertThat(status.status()).isEqualTo(200);
    JsonNode dns = status.json();
    assertThat(dns.path("subdomain").asString()).isEqualTo(alice.fqdn());
    assertThat(dns.path("points_to").asString()).isEqualTo("73.45.123.89");
    assertThat(dns.path("state").asString()).isEqualTo("applied");
    assertThat(dns.path("last_update").asString()).isNotBlank();
    assertThat(dns.path("provider").asString()).isEqualTo("cloudflare");
    assertThat(dns.path("history").get(0).path("points_to").asString()).isEqualTo("73.45.123.89");
  }

  @Test
  void anUnchangedAddressAnswersUnchangedWithoutAnyProviderCall() {
    Home home = newHome("same");
    assertThat(
            api.update(home.token(), body(home.subdomain(), "73.45.1.2"), someClientAddress())
                .status())
        .isEqualTo(200);
    long before = cloudflareCallsFor(home.fqdn());

    Answer again =
        api.update(home.token(), body(home.subdomain(), "73.45.1.2"), someClientAddress());

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("status").asString()).isEqualTo("unchanged");
    assertThat(cloudflareCallsFor(home.fqdn())).isEqualTo(before);
  }

  @Test
  void aChangedAddressCostsOnePatch() {
    Home home = newHome("move");
    api.update(home.token(), body(home.subdomain(), "73.45.1.2"), someClientAddress());
    long before = cloudflareCallsFor(home.fqdn());

    Answer moved = api.update(home.token(), body(home.fqdn(), "73.45.1.3"), someClientAddress());

    assertThat(moved.json().path("status").asString()).isEqualTo("updated");
    assertThat(cloudflareCallsFor(home.fqdn()) - before).isEqualTo(1);
    assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("content").asString())
        .isEqualTo("73.45.1.3");
  }

  @Test
  void withoutIpTheCallerAddressFromTheTrustedProxyIsUsed() {
    Home home = newHome("noip");

    Answer answer =
        api.update(home.token(), body(home.subdomain(), null), "203.0.113.7, 93.184.216.34");

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("points_to").asString()).isEqualTo("93.184.216.34");
  }

  @Test
  void ipv6GlobalUnicastBecomesAnAaaaRecord() {
    Home home = newHome("six");

    Answer answer =
        api.update(
            home.token(),
            body(home.subdomain(), "2606:4700:0:0:0:0:6810:84E5"),
            someClientAddress());

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().path("type").asString()).isEqualTo("AAAA");
    assertThat(answer.json().path("points_to").asString()).isEqualTo("2606:4700::6810:84e5");
    assertThat(CLOUDFLARE.records("AAAA", home.fqdn()).get(0).path("content").asString())
        .isEqualTo("2606:4700::6810:84e5");
  }

  @Test
  void aliceCannotUpdateBobsName() {
    Home alice = newHome("alice");
    Home bob = newHome("bob");

    Answer answer =
        api.update(alice.token(), body(bob.subdomain(), "73.45.123.89"), someClientAddress());

    assertThat(answer.status()).isEqualTo(403);
    assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
    assertThat(answer.json().path("type").asString()).endsWith("/forbidden");
    assertThat(cloudflareCallsFor(bob.fqdn())).isZero();
    assertThat(api.get("/api/dns/" + bob.subdomain(), bob.token(), someClientAddress()).status())
        .isEqualTo(404);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "127.0.0.1",
        "169.254.1.1",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "224.0.0.251",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.51.100.20",
        "203.0.113.9",
        "198.18.0.1",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "ff02::1",
        "2001:db8::1",
        "2002:c000:204::1",
        "::ffff:8.8.8.8",
        "example.com",
        "1.2.3",
        "01.2.3.4",
        "1.2.3.4 ",
        "8.8.8.8/32",
        "fe80::1%eth0"
      })
  void nonPublicOrMalformedAddressesAreRefusedAndNothingIsStored(String ip) {
    Home home = newHome("bad");

    Answer answer =
        api.update(
            home.token(),
            "{\"subdomain\":\"" + home.subdomain() + "\",\"ip\":\"" + ip + "\"}",
            someClientAddress());

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
    assertThat(answer.json().path("detail").asString()).isNotBlank();
    assertThat(answer.body()).doesNotContain("Exception").doesNotContain("at dev.");
    assertThat(api.get("/api/dns/" + home.subdomain(), home.token(), someClientAddress()).status())
        .isEqualTo(404);
    assertThat(cloudflareCallsFor(home.fqdn())).isZero();
  }

  @Test
  void malformedUnknownOversizedAndWronglyTypedBodiesAreProblems() {
    Home home = newHome("junk");
    String t = home.token();
    String s = home.subdomain();

    assertProblem(api.update(t, "{not json", someClientAddress()), 400, "malformed-request");
    assertProblem(
        api.update(
            t, "{\"subdomain\":\"" + s + "\",\"ip\":\"8.8.8.8\",\"ttl\":1}", someClientAddress()),
        400,
        "malformed-request");
    assertProblem(
        api.update(t, "{\"subdomain\":\"" + s + "\",\"ip\":8}", someClientAddress()),
        400,
        "malformed-request");
    assertProblem(api.update(t, "{\"ip\":\"8.8.8.8\"}", someClientAddress()), 400, "validation");
    assertProblem(api.update(t, "[]", someClientAddress()), 400, "malformed-request");
    assertProblem(
        api.update(t, body("../etc/passwd", "8.8.8.8"), someClientAddress()), 400, "validation");
    assertProblem(
        api.update(t, body(s + ".example.org", "8.8.8.8"), someClientAddress()), 400, "validation");
    assertProblem(
        api.update(t, body("a".repeat(300), "8.8.8.8"), someClientAddress()), 400, "validation");
    assertProblem(
        api.update(
            t,
            "{\"subdomain\":\"" + s + "\",\"ip\":\"" + "x".repeat(20_000) + "\"}",
            someClientAddress()),
        413,
        "payload-too-large");
    assertProblem(
        api.post("/api/dns/update", t, "text/plain", body(s, "8.8.8.8"), someClientAddress()),
        415,
        "unsupported-media-type");
    assertThat(api.get("/api/dns/" + s, t, someClientAddress()).status()).isEqualTo(404);
  }

  @Test
  void missingOrInvalidCredentialsAre401() {
    Home home = newHome("anon");
    String b = body(home.subdomain(), "8.8.8.8");

    Answer none = api.update(null, b, someClientAddress());
    assertProblem(none, 401, "unauthorized");
    assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
    assertProblem(
        api.update("spoq_dev_" + "A".repeat(43), b, someClientAddress()), 401, "unauthorized");
    assertProblem(api.update("garbage token", b, someClientAddress()), 401, "unauthorized");
    assertProblem(api.update(home.account().apiKey(), b, someClientAddress()), 401, "unauthorized");
    assertProblem(api.update(REGISTRY.adminKey(), b, someClientAddress()), 401, "unauthorized");
  }

  @Test
  void anAnonymousCallerIsRefusedBeforeTheBodyIsLookedAt() {
    String from = someClientAddress();

    assertProblem(
        api.post("/api/dns/update", null, "text/plain", "hello", from), 401, "unauthorized");
    assertProblem(api.update(null, "{not json", from), 401, "unauthorized");
    assertProblem(api.update(null, "{\"unknown\":1}", from), 401, "unauthorized");
  }

  @Test
  void failedAuthenticationsAreAuditedOncePerSourceAndWindowWithACount() {
    String from = someClientAddress();
    int attempts = 20;
    for (int i = 0; i < attempts; i++) {
      api.update("spoq_dev_" + "Z".repeat(40) + i, body("nobody", "8.8.8.8"), from);
    }

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              List<JsonNode> rows = auditRows("auth.failed", from);
              assertThat(rows.stream().mapToInt(r -> r.path("details").path("count").asInt()).sum())
                  .isEqualTo(attempts);
              // One row per 3 s window: the attempts span at most two windows.
              assertThat(rows).hasSizeBetween(1, 2);
              assertThat(rows.get(0).path("outcome").asString()).isEqualTo("FAILURE");
              assertThat(rows.get(0).path("service").asString()).isEqualTo("dns-api");
              assertThat(rows.get(0).path("target").asString()).isEqualTo("POST /api/dns/update");
            });
  }

  @Test
  void denialsAreAuditedAggregated() {
    Home alice = newHome("alice");
    Home bob = newHome("bob");
    String from = someClientAddress();
    api.update(bob.token(), body(bob.subdomain(), "73.45.201.1"), someClientAddress());

    api.update(alice.token(), body(bob.subdomain(), "73.45.201.2"), from);
    api.update(alice.token(), body(bob.subdomain(), "73.45.201.3"), from);
    api.get("/api/dns/" + bob.subdomain(), alice.token(), from);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<JsonNode> updates = auditRows("dns.record.update-denied", from);
              assertThat(
                      updates.stream().mapToInt(r -> r.path("details").path("count").asInt()).sum())
                  .isEqualTo(2);
              assertThat(updates.get(0).path("outcome").asString()).isEqualTo("DENIED");
              assertThat(updates.get(0).path("target").asString()).isEqualTo(bob.fqdn());
              List<JsonNode> reads = auditRows("dns.record.read-denied", from);
              assertThat(reads).hasSize(1);
              assertThat(reads.get(0).path("details").path("count").asInt()).isEqualTo(1);
            });
  }

  private static List<JsonNode> auditRows(String action, String sourceIp) {
    JsonNode page =
        REGISTRY
            .call(
                "GET",
                "/api/audit-events?action=" + action + "&size=500",
                REGISTRY.adminKey(),
                null)
            .json();
    List<JsonNode> rows = new java.util.ArrayList<>();
    for (JsonNode e : page.path("items")) {
      if (sourceIp.equals(e.path("sourceIp").asString())) {
        rows.add(e);
      }
    }
    return rows;
  }

  @Test
  void perDeviceRateLimitAnswers429WithRetryAfter() {
    Home home = newHome("busy");
    for (int i = 0; i < DEVICE_LIMIT; i++) {
      assertThat(
              api.update(
                      home.token(),
                      body(home.subdomain(), "73.45.9." + (i + 1)),
                      someClientAddress())
                  .status())
          .isEqualTo(200);
    }

    Answer limited =
        api.update(home.token(), body(home.subdomain(), "73.45.9.99"), someClientAddress());

    assertProblem(limited, 429, "rate-limited");
    assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
    assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("content").asString())
        .isEqualTo("73.45.9." + DEVICE_LIMIT);
  }

  @Test
  void perSourceAddressRateLimitAppliesBeforeAuthentication() {
    String from = someClientAddress();
    for (int i = 0; i < SOURCE_IP_LIMIT; i++) {
      assertThat(api.update(null, body("nobody", "8.8.8.8"), from).status()).isEqualTo(401);
    }

    Answer limited = api.update(null, body("nobody", "8.8.8.8"), from);

    assertProblem(limited, 429, "rate-limited");
    assertThat(limited.header("Retry-After")).isNotBlank();
    assertThat(api.update(null, body("nobody", "8.8.8.8"), someClientAddress()).status())
        .isEqualTo(401);
  }

  @Test
  void readingANameNeedsItsJetsonItsAccountOrAnAdmin() {
    Home alice = newHome("alice");
    Home bob = newHome("bob");
    api.update(bob.token(), body(bob.subdomain(), "73.45.200.1"), someClientAddress());
    String path = "/api/dns/" + bob.subdomain();

    assertThat(api.get(path, bob.token(), someClientAddress()).status()).isEqualTo(200);
    assertThat(api.get(path, bob.account().apiKey(), someClientAddress()).status()).isEqualTo(200);
    assertThat(api.get(path, REGISTRY.adminKey(), someClientAddress()).status()).isEqualTo(200);
    Answer byAliceToken = api.get(path, alice.token(), someClientAddress());
    Answer byAliceKey = api.get(path, alice.account().apiKey(), someClientAddress());
    Answer missing =
        api.get("/api/dns/nobody-" + System.nanoTime(), alice.token(), someClientAddress());
    assertProblem(byAliceToken, 404, "not-found");
    assertProblem(byAliceKey, 404, "not-found");
    assertProblem(missing, 404, "not-found");
    assertThat(byAliceToken.json().path("title").asString())
        .as("another tenant's name looks exactly like a missing one")
        .isEqualTo(missing.json().path("title").asString());
    assertProblem(api.get(path, null, someClientAddress()), 401, "unauthorized");
    assertProblem(
        api.get(path, "spoq_key_" + "B".repeat(43), someClientAddress()), 401, "unauthorized");
    assertProblem(
        api.get("/api/dns/" + alice.subdomain(), REGISTRY.adminKey(), someClientAddress()),
        404,
        "not-found");
    assertProblem(
        api.get("/api/dns/bad_label!", REGISTRY.adminKey(), someClientAddress()),
        400,
        "validation");
  }

  @Test
  void aRevokedJetsonIsCutOffWithinTwoSecondsAndItsRecordIsRemovedAndAudited() {
    Home home = newHome("revoked");
    String path = "/api/dns/" + home.subdomain();
    assertThat(
            api.update(home.token(), body(home.subdomain(), "73.45.3.3"), someClientAddress())
                .status())
        .isEqualTo(200);
    assertThat(api.get(path, home.token(), someClientAddress()).status()).isEqualTo(200);
    assertThat(CLOUDFLARE.records("A", home.fqdn())).hasSize(1);

    long revokedAt = System.nanoTime();
    REGISTRY.revokeJetson(home.jetson().jetsonId());

    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> api.get(path, home.token(), someClientAddress()).status() == 401);
    Duration cutOff = Duration.ofNanos(System.nanoTime() - revokedAt);
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> CLOUDFLARE.records("A", home.fqdn()).isEmpty());
    Duration removed = Duration.ofNanos(System.nanoTime() - revokedAt);
    System.out.printf(
        "revoked Jetson: token refused after %d ms, record removed after %d ms%n",
        cutOff.toMillis(), removed.toMillis());
    assertThat(cutOff).isLessThan(Duration.ofSeconds(2));
    assertThat(removed).isLessThan(Duration.ofSeconds(2));
    assertProblem(
        api.update(home.token(), body(home.subdomain(), "73.45.3.4"), someClientAddress()),
        401,
        "unauthorized");
    assertThat(CLOUDFLARE.records("A", home.fqdn())).isEmpty();
    assertProblem(api.get(path, REGISTRY.adminKey(), someClientAddress()), 404, "not-found");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode page =
                  REGISTRY
                      .call(
                          "GET",
                          "/api/audit-events?action=dns.record.removed&size=500",
                          REGISTRY.adminKey(),
                          null)
                      .json();
              JsonNode event = null;
              for (JsonNode e : page.path("items")) {
                if (home.fqdn().equals(e.path("target").asString())) {
                  event = e;
                }
              }
              assertThat(event).isNotNull();
              assertThat(event.path("outcome").asString()).isEqualTo("SUCCESS");
              assertThat(event.path("details").path("reason").asString())
                  .isEqualTo("jetson revoked");
              assertThat(event.path("details").path("ip").asString()).isEqualTo("73.45.3.3");
            });
  }

  @Test
  void everyChangeIsAnAuditEventInTheRegistry() {
    Home home = newHome("audited");
    api.update(home.token(), body(home.subdomain(), "73.45.77.1"), "93.184.216.34");

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode page =
                  REGISTRY
                      .call(
                          "GET",
                          "/api/audit-events?action=dns.record.updated&size=500",
                          REGISTRY.adminKey(),
                          null)
                      .json();
              JsonNode event = null;
              for (JsonNode e : page.path("items")) {
                if (home.fqdn().equals(e.path("target").asString())) {
                  event = e;
                }
              }
              assertThat(event).isNotNull();
              assertThat(event.path("outcome").asString()).isEqualTo("SUCCESS");
              assertThat(event.path("service").asString()).isEqualTo("dns-api");
              assertThat(event.path("sourceIp").asString()).isEqualTo("93.184.216.34");
              assertThat(event.path("details").path("to").asString()).isEqualTo("73.45.77.1");
              assertThat(event.path("details").path("state").asString()).isEqualTo("applied");
            });
  }

  private static void assertProblem(Answer answer, int status, String typeSlug) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
    assertThat(answer.json().path("type").asString()).endsWith("/" + typeSlug);
    assertThat(answer.body()).doesNotContain("Exception").doesNotContain("at dev.");
  }
}
