package dev.spoq.dns.provider.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.dns.provider.ProviderException;
import dev.spoq.dns.provider.ProviderRecord;
import dev.spoq.dns.provider.RecordType;
import dev.spoq.dns.testing.CloudflareStub;
import dev.spoq.dns.testing.CloudflareStub.Call;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The Cloudflare client and provider against a stub that checks every request of the v4 API. */
class CloudflareProviderTest {

  private static final String TOKEN = "cf-test-token-0123456789abcdef";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private CloudflareStub stub;
  private CloudflareProvider provider;

  @BeforeEach
  void setUp() {
    stub = new CloudflareStub("spoq.dev", TOKEN);
    provider = providerWithToken(TOKEN);
  }

  @AfterEach
  void tearDown() {
    assertThat(stub.violations()).as("requests the stub found malformed").isEmpty();
    stub.close();
  }

  private CloudflareProvider providerWithToken(String token) {
    return new CloudflareProvider(
        new CloudflareClient(
            stub.baseUrl(), token, Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC()),
        "spoq.dev");
  }

  @Test
  void createsAMissingRecordWithLookupThenPost() {
    provider.upsert(ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.89"));

    List<Call> calls = stub.calls();
    assertThat(calls).hasSize(3);
    assertThat(calls.get(0).method()).isEqualTo("GET");
    assertThat(calls.get(0).path()).isEqualTo("/client/v4/zones");
    assertThat(calls.get(0).query()).isEqualTo(Map.of("name", "spoq.dev", "status", "active"));
    assertThat(calls.get(1).method()).isEqualTo("GET");
    assertThat(calls.get(1).path()).isEqualTo("/client/v4/zones/" + stub.zoneId() + "/dns_records");
    assertThat(calls.get(1).query())
        .containsEntry("type", "A")
        .containsEntry("name", "alice.spoq.dev")
        .containsEntry("page", "1");
    assertThat(calls.get(2).method()).isEqualTo("POST");
    assertThat(calls.get(2).path()).isEqualTo("/client/v4/zones/" + stub.zoneId() + "/dns_records");
    JsonNode body = JSON.readTree(calls.get(2).body());
    assertThat(body.path("type").asString()).isEqualTo("A");
    assertThat(body.path("name").asString()).isEqualTo("alice.spoq.dev");
    assertThat(body.path("content").asString()).isEqualTo("73.45.123.89");
    assertThat(body.path("ttl").asInt()).isEqualTo(60);
    assertThat(body.path("proxied").isBoolean()).isTrue();
    assertThat(body.path("proxied").asBoolean()).isFalse();
    assertThat(body.path("comment").asString()).isEqualTo("managed-by: spoq dns-api");

    JsonNode stored = stub.records("A", "alice.spoq.dev").get(0);
    assertThat(stored.path("content").asString()).isEqualTo("73.45.123.89");
  }

  @Test
  void anExistingRecordIsPatchedNeverPostedAndTheIdIsCached() {
    stub.createByHand("A", "alice.spoq.dev", "1.2.3.4", 300, true);

    provider.upsert(ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.89"));
    provider.upsert(ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.90"));

    List<String> methods = stub.calls().stream().map(Call::method).toList();
    assertThat(methods).containsExactly("GET", "GET", "PATCH", "PATCH");
    assertThat(methods).doesNotContain("POST");
    JsonNode record = stub.records("A", "alice.spoq.dev").get(0);
    assertThat(record.path("content").asString()).isEqualTo("73.45.123.90");
    assertThat(record.path("ttl").asInt()).isEqualTo(60);
    assertThat(record.path("proxied").asBoolean()).isFalse();
    assertThat(record.path("comment").asString()).isEqualTo(CloudflareProvider.MANAGED_COMMENT);
    assertThat(stub.recordCount()).isEqualTo(1);
  }

  @Test
  void aRecordDeletedByHandIsRecreatedAfter81044() {
    provider.upsert(ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.89"));
    stub.deleteByHand("A", "alice.spoq.dev");
    stub.clearCalls();

    provider.upsert(ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.90"));

    assertThat(stub.calls().stream().map(Call::method)).containsExactly("PATCH", "GET", "POST");
    assertThat(stub.records("A", "alice.spoq.dev").get(0).path("content").asString())
        .isEqualTo("73.45.123.90");
  }

  @Test
  void aRaceThatEndsInTheOlder81057UpdatesTheRecordThatAppeared() {
    // Lookups find nothing; the POST is answered 81057 as if another writer just created it.
    provider.find("bob.spoq.dev", RecordType.A); // warms the zone cache
    stub.createByHand("A", "bob.spoq.dev", "5.6.7.8", 60, false);
    stub.clearCalls();
    stub.failNext(emptyList());
    stub.failNext(
        CloudflareStub.apiError(
            400, CloudflareStub.RECORD_ALREADY_EXISTS, "Record already exists."));

    provider.upsert(ProviderRecord.jetson("bob.spoq.dev", RecordType.A, "8.8.4.4"));

    assertThat(stub.calls().stream().map(Call::method))
        .containsExactly("GET", "POST", "GET", "PATCH");
    assertThat(stub.records("A", "bob.spoq.dev")).hasSize(1);
    assertThat(stub.records("A", "bob.spoq.dev").get(0).path("content").asString())
        .isEqualTo("8.8.4.4");
  }

  @Test
  void anIdenticalCreateAnswers81058WithItsDocumentedMessage() {
    stub.createByHand("A", "dave.spoq.dev", "8.8.8.8", 60, false);
    CloudflareClient client =
        new CloudflareClient(
            stub.baseUrl(), TOKEN, Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC());
    String zone = client.findZoneId("spoq.dev").orElseThrow();

    assertThatThrownBy(
            () ->
                client.createRecord(
                    zone,
                    new CloudflareClient.RecordBody(
                        "A", "dave.spoq.dev", "8.8.8.8", 60, false, null)))
        .isInstanceOfSatisfying(
            CloudflareApiException.class,
            e -> {
              assertThat(e.hasCode(81058)).isTrue();
              assertThat(e.hasCode(81057)).isFalse();
              assertThat(e.getMessage()).contains("81058 an identical record already exists");
            });
  }

  @Test
  void aDuplicateThatAlreadyHoldsTheValueIsKeptAndTheOthersDeletedFirst() {
    stub.createByHand("A", "erin.spoq.dev", "1.1.1.1", 300, false);
    stub.createByHand("A", "erin.spoq.dev", "8.8.8.8", 300, false);
    stub.createByHand("A", "erin.spoq.dev", "9.9.9.9", 300, false);

    provider.upsert(ProviderRecord.jetson("erin.spoq.dev", RecordType.A, "8.8.8.8"));

    List<JsonNode> left = stub.records("A", "erin.spoq.dev");
    assertThat(left).hasSize(1);
    assertThat(left.get(0).path("content").asString()).isEqualTo("8.8.8.8");
    assertThat(left.get(0).path("ttl").asInt()).isEqualTo(60);
    assertThat(left.get(0).path("comment").asString())
        .isEqualTo(CloudflareProvider.MANAGED_COMMENT);
    List<String> writes = stub.calls().stream().filter(Call::isWrite).map(Call::method).toList();
    assertThat(writes).containsExactly("DELETE", "DELETE", "PATCH");
  }

  @Test
  void aCachedRecordBlockedByAHandMadeDuplicateConverges() {
    provider.upsert(ProviderRecord.jetson("fay.spoq.dev", RecordType.A, "73.45.1.1"));
    stub.createByHand("A", "fay.spoq.dev", "73.45.1.2", 60, false);

    provider.upsert(ProviderRecord.jetson("fay.spoq.dev", RecordType.A, "73.45.1.2"));

    List<JsonNode> left = stub.records("A", "fay.spoq.dev");
    assertThat(left).hasSize(1);
    assertThat(left.get(0).path("content").asString()).isEqualTo("73.45.1.2");
  }

  @Test
  void theZoneLookupAsksForActiveZonesAndChecksTheName() {
    provider.find("gil.spoq.dev", RecordType.A);
    Call lookup = stub.calls().get(0);
    assertThat(lookup.query()).containsEntry("name", "spoq.dev").containsEntry("status", "active");

    CloudflareStub other = new CloudflareStub("spoq.dev", TOKEN);
    try {
      other.failNext(
          new MockResponse()
              .setResponseCode(200)
              .setHeader("Content-Type", "application/json")
              .setBody(
                  "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":["
                      + "{\"id\":\"0123456789abcdef0123456789abcdef\",\"name\":\"spoq.dev.attacker.example\",\"status\":\"active\"},"
                      + "{\"id\":\"fedcba9876543210fedcba9876543210\",\"name\":\"spoq.dev\",\"status\":\"pending\"}]}"));
      CloudflareClient client =
          new CloudflareClient(
              other.baseUrl(),
              TOKEN,
              Duration.ofSeconds(2),
              Duration.ofSeconds(5),
              Clock.systemUTC());

      assertThat(client.findZoneId("spoq.dev")).isEmpty();
      assertThat(client.findZoneId("spoq.dev")).contains(other.zoneId());
    } finally {
      other.close();
    }
  }

  @Test
  void listingPagesUntilAShortPageWhateverTotalPagesSays() {
    for (int i = 0; i < 130; i++) {
      stub.createByHand(
          "A", "many.spoq.dev", "73.46." + (i / 200) + "." + (i % 200 + 1), 60, false);
    }
    stub.underreportTotalPages(true);

    List<ProviderRecord> found = provider.find("many.spoq.dev", RecordType.A);

    assertThat(found).hasSize(130);
    assertThat(stub.calls().stream().filter(c -> c.path().endsWith("/dns_records")).count())
        .isEqualTo(2);
  }

  @Test
  void extraRecordsForTheSameNameAreRemoved() {
    stub.createByHand("A", "carol.spoq.dev", "1.1.1.1", 60, false);
    stub.createByHand("A", "carol.spoq.dev", "9.9.9.9", 60, false);

    provider.upsert(ProviderRecord.jetson("carol.spoq.dev", RecordType.A, "8.8.8.8"));

    assertThat(stub.records("A", "carol.spoq.dev")).hasSize(1);
    assertThat(stub.calls().stream().map(Call::method)).contains("DELETE");
  }

  @Test
  void rateLimitIsTransientAndCarriesRetryAfter() {
    stub.failNext(CloudflareStub.rateLimited(17));

    assertThatThrownBy(
            () ->
                provider.upsert(
                    ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.89")))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.transientFailure()).isTrue();
              assertThat(e.retryAfter()).contains(Duration.ofSeconds(17));
              assertThat(e.getMessage()).contains("rate limit").contains("HTTP 429");
            });
  }

  @Test
  void serverErrorsAreTransient() {
    stub.failNext(CloudflareStub.serverError(503));

    assertThatThrownBy(
            () ->
                provider.upsert(
                    ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.89")))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.transientFailure()).isTrue();
              assertThat(e.getMessage()).contains("unavailable").contains("HTTP 503");
            });
  }

  @Test
  void aGatewayPageThatIsNotTheEnvelopeIsTransient() {
    stub.failNext(new MockResponse().setResponseCode(502).setBody("<html>Bad gateway</html>"));

    assertThatThrownBy(() -> provider.find("alice.spoq.dev", RecordType.A))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.transientFailure()).isTrue());
  }

  @Test
  void invalidTtlIsPermanentWithAClearMessage() {
    stub.failNext(
        CloudflareStub.apiError(
            400,
            9021,
            "Invalid TTL. Must be between 120 and 2,147,483,647 seconds, or 1 for automatic"));

    assertThatThrownBy(() -> provider.find("alice.spoq.dev", RecordType.A))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.transientFailure()).isFalse();
              assertThat(e.getMessage()).contains("9021").contains("invalid TTL");
            });
  }

  @Test
  void aRejectedTokenIs10000AndTheTokenIsNeverInTheMessage() {
    String wrong = "cf-wrong-token-secret-value";
    CloudflareProvider bad = providerWithToken(wrong);

    assertThatThrownBy(
            () -> bad.upsert(ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.89")))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.transientFailure()).isFalse();
              assertThat(e.getMessage())
                  .contains("10000")
                  .contains("api-token")
                  .doesNotContain(wrong)
                  .doesNotContain(TOKEN);
            });
  }

  @Test
  void recordNotFoundIsMappedClearly() {
    CloudflareClient client =
        new CloudflareClient(
            stub.baseUrl(), TOKEN, Duration.ofSeconds(2), Duration.ofSeconds(5), Clock.systemUTC());
    String zone = client.findZoneId("spoq.dev").orElseThrow();

    assertThatThrownBy(() -> client.deleteRecord(zone, "0123456789abcdef0123456789abcdef"))
        .isInstanceOfSatisfying(
            CloudflareApiException.class,
            e -> {
              assertThat(e.hasCode(81044)).isTrue();
              assertThat(e.getMessage()).contains("81044").contains("record does not exist");
            });
  }

  @Test
  void anUnknownZoneIsAPermanentConfigurationError() {
    CloudflareProvider other =
        new CloudflareProvider(
            new CloudflareClient(
                stub.baseUrl(),
                TOKEN,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Clock.systemUTC()),
            "example.org");

    assertThatThrownBy(() -> other.find("x.example.org", RecordType.A))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.transientFailure()).isFalse();
              assertThat(e.getMessage()).contains("zone example.org not found");
            });
  }

  @Test
  void anUnreachableApiIsTransient() {
    stub.stop();

    assertThatThrownBy(() -> provider.find("alice.spoq.dev", RecordType.A))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.transientFailure()).isTrue();
              assertThat(e.getMessage()).contains("unreachable");
            });
    stub.restart();
    assertThat(provider.find("alice.spoq.dev", RecordType.A)).isEmpty();
  }

  @Test
  void retryAfterAsHttpDateIsUnderstood() {
    java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
    assertThat(CloudflareErrors.parseRetryAfter("Thu, 01 Jan 2026 00:00:30 GMT", now))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(CloudflareErrors.parseRetryAfter("junk", now)).isEqualTo(Duration.ofSeconds(60));
    assertThat(CloudflareErrors.parseRetryAfter("0", now)).isEqualTo(Duration.ofSeconds(1));
    assertThat(CloudflareErrors.parseRetryAfter("999999", now)).isEqualTo(Duration.ofHours(1));
  }

  private static MockResponse emptyList() {
    return new MockResponse()
        .setResponseCode(200)
        .setHeader("Content-Type", "application/json")
        .setBody(
            "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":[],"
                + "\"result_info\":{\"page\":1,\"per_page\":100,\"count\":0,\"total_count\":0,"
                + "\"total_pages\":1}}");
  }
}
