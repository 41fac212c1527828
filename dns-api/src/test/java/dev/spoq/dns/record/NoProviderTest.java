package dev.spoq.dns.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.testing.ApiClient;
import dev.spoq.dns.testing.ApiClient.Answer;
import dev.spoq.dns.testing.SharedFixtures;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Account;
import dev.spoq.registry.testing.RunningRegistry.EnrolledJetson;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * {@code spoq.dns.provider=none}, the local default: the service starts with only the shared
 * settings, warns that nothing is published, stores updates and reports them pending.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(
    classes = DnsApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=dns-api", "logging.structured.format.console="})
class NoProviderTest {

  static final RunningRegistry REGISTRY = SharedFixtures.registry();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    TestPostgres.register(registry, "dns_api_none");
    registry.add("spoq.registry.base-url", REGISTRY::baseUrl);
    registry.add("spoq.registry.service-token", () -> REGISTRY.serviceToken("dns-api"));
    registry.add("spoq.dns.allowed-extra-ranges", () -> "127.0.0.0/8");
    registry.add("spoq.dns.service-tokens.relay-coordinator", () -> "svc-coordinator-none");
  }

  @LocalServerPort int port;

  @Test
  void updatesAreStoredAndStayPendingWithAClearReason(CapturedOutput output) {
    ApiClient api = new ApiClient("http://127.0.0.1:" + port);
    String name = SharedFixtures.uniqueName("local");
    Account account = REGISTRY.createAccount(name, name, RunningRegistry.Product.JETSON);
    EnrolledJetson jetson =
        REGISTRY.enrollJetson(account, Base64.getEncoder().encodeToString(key()), "jetson");

    Answer answer = api.update(jetson.deviceToken(), "{\"subdomain\":\"" + name + "\"}", null);

    assertThat(answer.status()).isEqualTo(202);
    assertThat(answer.json().path("status").asString()).isEqualTo("pending");
    assertThat(answer.json().path("points_to").asString())
        .as("no X-Forwarded-For trusted here: the TCP peer, allowed by allowed-extra-ranges")
        .isEqualTo("127.0.0.1");
    JsonNode status = api.get("/api/dns/" + name, account.apiKey(), null).json();
    assertThat(status.path("state").asString()).isEqualTo("pending");
    assertThat(status.path("provider").asString()).isEqualTo("none");
    assertThat(status.path("last_error").asString()).contains("no DNS provider is configured");
    assertThat(output.getAll()).contains("No DNS provider is configured");
    assertThat(output.getAll()).contains("allowed-extra-ranges");

    Answer again = api.update(jetson.deviceToken(), "{\"subdomain\":\"" + name + "\"}", "8.8.8.8");
    assertThat(again.json().path("points_to").asString())
        .as("X-Forwarded-For from an untrusted peer is ignored")
        .isEqualTo("127.0.0.1");
    assertThat(again.json().path("status").asString()).isEqualTo("pending");

    JsonNode published = api.get("/internal/v1/dns/" + name, "svc-coordinator-none", null).json();
    assertThat(published.path("state").asString()).isEqualTo("pending");
    assertThat(published.path("publishedAddress").isNull())
        .as("nothing is served by DNS yet, so nothing is published")
        .isTrue();
    assertThat(published.path("path").asString()).isEqualTo("direct");
  }

  @Test
  void actuatorHealthAndPrometheusAreServed() {
    ApiClient api = new ApiClient("http://127.0.0.1:" + port);
    assertThat(api.get("/actuator/health/readiness", null, null).status()).isEqualTo(200);
    Answer metrics = api.get("/actuator/prometheus", null, null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("dns_records_pending");
  }

  private static byte[] key() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    key[0] |= 1;
    return key;
  }
}
