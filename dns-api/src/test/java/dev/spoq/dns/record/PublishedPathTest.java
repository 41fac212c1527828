package dev.spoq.dns.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.dns.testing.ApiClient.Answer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Contract C5 (the agent says which path an address belongs to; dns-api keeps it in the history and
 * shows it) and C6 (the coordinator reads what DNS really publishes, with its service token).
 */
class PublishedPathTest extends CloudflareBackedTest {

  @Test
  void theRelayPathIsStoredInTheRecordAndItsHistory() {
    Home home = newHome("path");
    api.update(home.token(), body(home.subdomain(), "73.45.10.1"), someClientAddress());

    Answer relay =
        api.update(
            home.token(),
            "{\"subdomain\":\"" + home.subdomain() + "\",\"ip\":\"45.76.30.2\",\"path\":\"relay\"}",
            someClientAddress());

    assertThat(relay.status()).isEqualTo(200);
    assertThat(relay.json().path("path").asString()).isEqualTo("relay");
    assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("content").asString())
        .isEqualTo("45.76.30.2");
    assertThat(CLOUDFLARE.records("A", home.fqdn()).get(0).path("ttl").asInt()).isEqualTo(60);
    JsonNode status = api.get("/api/dns/" + home.subdomain(), home.token(), null).json();
    assertThat(status.path("points_to").asString()).isEqualTo("45.76.30.2");
    assertThat(status.path("path").asString()).isEqualTo("relay");
    assertThat(status.path("records").get(0).path("path").asString()).isEqualTo("relay");
    assertThat(status.path("history").get(0).path("path").asString()).isEqualTo("relay");
    assertThat(status.path("history").get(1).path("path").asString()).isEqualTo("direct");
    assertThat(status.path("history").get(1).path("points_to").asString()).isEqualTo("73.45.10.1");
  }

  @Test
  void theSameAddressOnAnotherPathChangesThePathWithoutAProviderCall() {
    Home home = newHome("samepath");
    api.update(home.token(), body(home.subdomain(), "73.45.11.1"), someClientAddress());
    long before = cloudflareCallsFor(home.fqdn());

    Answer relay =
        api.update(
            home.token(),
            "{\"subdomain\":\"" + home.subdomain() + "\",\"ip\":\"73.45.11.1\",\"path\":\"relay\"}",
            someClientAddress());

    assertThat(relay.json().path("status").asString()).isEqualTo("unchanged");
    assertThat(relay.json().path("path").asString()).isEqualTo("relay");
    assertThat(cloudflareCallsFor(home.fqdn())).isEqualTo(before);
    JsonNode status = api.get("/api/dns/" + home.subdomain(), home.token(), null).json();
    assertThat(status.path("path").asString()).isEqualTo("relay");
    assertThat(status.path("history")).hasSize(2);
  }

  @Test
  void anUnknownPathIsRefused() {
    Home home = newHome("badpath");

    Answer answer =
        api.update(
            home.token(),
            "{\"subdomain\":\"" + home.subdomain() + "\",\"ip\":\"73.45.12.1\",\"path\":\"frp\"}",
            someClientAddress());

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().path("type").asString()).endsWith("/validation");
    assertThat(api.get("/api/dns/" + home.subdomain(), home.token(), null).status()).isEqualTo(404);
  }

  @Test
  void theCoordinatorReadsThePublishedAddressAndPath() {
    Home home = newHome("c6");
    api.update(home.token(), body(home.subdomain(), "73.45.13.1"), someClientAddress());
    api.update(
        home.token(),
        "{\"subdomain\":\"" + home.subdomain() + "\",\"ip\":\"45.76.30.9\",\"path\":\"relay\"}",
        someClientAddress());

    Answer answer = api.get("/internal/v1/dns/" + home.subdomain(), COORDINATOR_TOKEN, null);

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonNode body = answer.json();
    assertThat(body.path("subdomain").asString()).isEqualTo(home.subdomain());
    assertThat(body.path("fqdn").asString()).isEqualTo(home.fqdn());
    assertThat(body.path("publishedAddress").asString()).isEqualTo("45.76.30.9");
    assertThat(body.path("path").asString()).isEqualTo("relay");
    assertThat(body.path("state").asString()).isEqualTo("applied");
    assertThat(body.path("lastUpdate").asString()).isNotBlank();
  }

  @Test
  void theCoordinatorsReadsAreNotHeldToThePerAddressBudget() {
    // The coordinator asks on behalf of every client that wants a connect answer, all from one
    // address; strangers from that address are still limited.
    Home home = newHome("c6rate");
    api.update(home.token(), body(home.subdomain(), "73.45.15.1"), someClientAddress());
    String path = "/internal/v1/dns/" + home.subdomain();
    String coordinatorAddress = someClientAddress();

    for (int i = 0; i < SOURCE_IP_LIMIT + 5; i++) {
      Answer answer = api.get(path, COORDINATOR_TOKEN, coordinatorAddress);
      assertThat(answer.status()).as("read %d: %s", i, answer.body()).isEqualTo(200);
    }
    Answer stranger = null;
    for (int i = 0; i < SOURCE_IP_LIMIT + 1; i++) {
      stranger = api.get(path, "svc-guess", coordinatorAddress);
    }
    assertProblem(stranger, 429, "rate-limited");
  }

  @Test
  void theInternalReadNeedsTheCoordinatorsServiceToken() {
    Home home = newHome("c6auth");
    api.update(home.token(), body(home.subdomain(), "73.45.14.1"), someClientAddress());
    String path = "/internal/v1/dns/" + home.subdomain();

    assertProblem(api.get(path, null, null), 401, "unauthorized");
    assertProblem(api.get(path, home.token(), null), 401, "unauthorized");
    assertProblem(api.get(path, home.account().apiKey(), null), 401, "unauthorized");
    assertProblem(api.get(path, REGISTRY.adminKey(), null), 401, "unauthorized");
    assertProblem(api.get(path, "svc-guess", null), 401, "unauthorized");
    assertProblem(api.get(path, JUMP_ROUTER_TOKEN, null), 403, "forbidden");
    assertProblem(
        api.get("/internal/v1/dns/nobody-" + System.nanoTime(), COORDINATOR_TOKEN, null),
        404,
        "not-found");
    assertProblem(
        api.get("/internal/v1/dns/bad_label!", COORDINATOR_TOKEN, null), 400, "validation");
  }

  static void assertProblem(Answer answer, int status, String typeSlug) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
    assertThat(answer.json().path("type").asString()).endsWith("/" + typeSlug);
    assertThat(answer.body()).doesNotContain("Exception").doesNotContain("at dev.");
  }
}
