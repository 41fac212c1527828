package dev.spoq.dns.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.spoq.dns.provider.ProviderGate;
import dev.spoq.dns.testing.ApiClient.Answer;
import dev.spoq.dns.testing.CloudflareStub;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Nothing is lost: provider outages, rate limits and hand edits all converge to the stored value.
 */
class ReconcileTest extends CloudflareBackedTest {

  @Autowired Reconciler reconciler;
  @Autowired ProviderGate gate;

  @AfterEach
  void stubIsUp() {
    CLOUDFLARE.restartIfStopped();
    CLOUDFLARE.clearInjected();
    gate.reset();
  }

  @Test
  void anUpdateDuringAnOutageIsPendingAndConvergesWhenTheProviderIsBack() {
    Home home = newHome("outage");
    CLOUDFLARE.stop();

    Answer pending =
        api.update(home.token(), body(home.subdomain(), "73.45.50.1"), someClientAddress());

    assertThat(pending.status()).isEqualTo(202);
    assertThat(pending.json().path("status").asString()).isEqualTo("pending");
    JsonNode status = dnsStatus(home);
    assertThat(status.path("state").asString()).isEqualTo("pending");
    assertThat(status.path("points_to").asString()).isEqualTo("73.45.50.1");
    assertThat(status.path("last_error").asString()).contains("unreachable");

    CLOUDFLARE.restart();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> assertThat(dnsStatus(home).path("state").asString()).isEqualTo("applied"));
    assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("content").asString())
        .isEqualTo("73.45.50.1");
  }

  @Test
  void aRevokedJetsonsRecordIsRemovedOnceTheProviderIsBack() {
    Home home = newHome("gone");
    assertThat(
            api.update(home.token(), body(home.subdomain(), "73.45.52.1"), someClientAddress())
                .status())
        .isEqualTo(200);
    CLOUDFLARE.stop();

    REGISTRY.revokeJetson(home.jetson().jetsonId());

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        api.get("/api/dns/" + home.subdomain(), REGISTRY.adminKey(), null)
                            .json()
                            .path("state")
                            .asString())
                    .isEqualTo("removing"));
    CLOUDFLARE.restart();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(() -> assertThat(CLOUDFLARE.records("A", home.fqdn())).isEmpty());
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                api.get("/api/dns/" + home.subdomain(), REGISTRY.adminKey(), null).status() == 404);
  }

  @Test
  void theLatestOfSeveralUpdatesDuringAnOutageWins() {
    Home home = newHome("latest");
    CLOUDFLARE.stop();
    assertThat(
            api.update(home.token(), body(home.subdomain(), "73.45.51.1"), someClientAddress())
                .status())
        .isEqualTo(202);
    assertThat(
            api.update(home.token(), body(home.subdomain(), "73.45.51.2"), someClientAddress())
                .status())
        .isEqualTo(202);

    CLOUDFLARE.restart();

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> assertThat(dnsStatus(home).path("state").asString()).isEqualTo("applied"));
    List<JsonNode> records = CLOUDFLARE.records("A", home.fqdn());
    assertThat(records).hasSize(1);
    assertThat(records.get(0).path("content").asString()).isEqualTo("73.45.51.2");
    JsonNode history = dnsStatus(home).path("history");
    assertThat(history.get(0).path("points_to").asString()).isEqualTo("73.45.51.2");
    assertThat(history.get(1).path("points_to").asString()).isEqualTo("73.45.51.1");
  }

  @Test
  void aRateLimitIsHonouredUntilRetryAfterThenApplied() {
    Home home = newHome("throttled");
    CLOUDFLARE.failNext(CloudflareStub.rateLimited(3));
    Instant sent = Instant.now();

    Answer pending =
        api.update(home.token(), body(home.subdomain(), "73.45.52.1"), someClientAddress());

    assertThat(pending.status()).isEqualTo(202);
    assertThat(pending.json().path("status").asString()).isEqualTo("pending");
    JsonNode status = dnsStatus(home);
    assertThat(status.path("last_error").asString()).contains("HTTP 429");
    Instant next = Instant.parse(status.path("records").get(0).path("next_attempt").asString());
    assertThat(next).isAfterOrEqualTo(sent.plusSeconds(2));

    long callsRightAfter = cloudflareCallsFor(home.fqdn());
    sleep(Duration.ofMillis(1500));
    assertThat(cloudflareCallsFor(home.fqdn()))
        .as("no call to the provider before retry-after has passed")
        .isEqualTo(callsRightAfter);

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> assertThat(dnsStatus(home).path("state").asString()).isEqualTo("applied"));
    assertThat(Duration.between(sent, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("content").asString())
        .isEqualTo("73.45.52.1");
  }

  @Test
  void aServerErrorIsRetriedUntilApplied() {
    Home home = newHome("fivexx");
    CLOUDFLARE.failNext(CloudflareStub.serverError(502));
    CLOUDFLARE.failNext(CloudflareStub.serverError(503));

    Answer pending =
        api.update(home.token(), body(home.subdomain(), "73.45.53.1"), someClientAddress());

    assertThat(pending.status()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> assertThat(dnsStatus(home).path("state").asString()).isEqualTo("applied"));
    assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("content").asString())
        .isEqualTo("73.45.53.1");
  }

  @Test
  void aRejectedTokenShowsAClearErrorAndIsRetried() {
    Home home = newHome("autherr");
    CLOUDFLARE.failNext(CloudflareStub.apiError(403, 10000, "Authentication error"));

    Answer pending =
        api.update(home.token(), body(home.subdomain(), "73.45.54.1"), someClientAddress());

    assertThat(pending.status()).isEqualTo(202);
    assertThat(dnsStatus(home).path("last_error").asString())
        .contains("10000")
        .contains("api-token")
        .doesNotContain(dev.spoq.dns.testing.SharedFixtures.CLOUDFLARE_TOKEN);
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> assertThat(dnsStatus(home).path("state").asString()).isEqualTo("applied"));
  }

  @Test
  void aRecordChangedByHandAtTheProviderIsPutBack() {
    Home home = newHome("drift");
    api.update(home.token(), body(home.subdomain(), "73.45.55.1"), someClientAddress());
    CLOUDFLARE.editByHand("A", home.fqdn(), "6.6.6.6");

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              reconciler.repairDrift();
              assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("content").asString())
                  .isEqualTo("73.45.55.1");
            });
    assertThat(dnsStatus(home).path("state").asString()).isEqualTo("applied");
  }

  @Test
  void aRecordDeletedByHandAtTheProviderIsRecreated() {
    Home home = newHome("gone");
    api.update(home.token(), body(home.subdomain(), "73.45.56.1"), someClientAddress());
    CLOUDFLARE.deleteByHand("A", home.fqdn());

    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              reconciler.repairDrift();
              assertThat(CLOUDFLARE.records("A", home.fqdn())).hasSize(1);
            });
    assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("content").asString())
        .isEqualTo("73.45.56.1");
  }

  private JsonNode dnsStatus(Home home) {
    Answer a = api.get("/api/dns/" + home.subdomain(), home.token(), someClientAddress());
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return a.json();
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
