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
    EnrolledJetson jetson = REGISTRY.enrollJetson(account, key(), "jetson");

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
  void healthIsOpenAndMetricsNeedAnAdminKeyWhateverThePathEncoding() {
    ApiClient api = new ApiClient("http://127.0.0.1:" + port);
    String name = SharedFixtures.uniqueName("ops");
    Account account = REGISTRY.createAccount(name, name, RunningRegistry.Product.JETSON);
    assertThat(api.get("/actuator/health/readiness", null, null).status()).isEqualTo(200);
    assertThat(api.get("/actuator/prometheus", null, null).status()).isEqualTo(401);
    assertThat(api.get("/actuator/prometheus", account.apiKey(), null).status()).isEqualTo(403);
    for (String path : new String[] {"/%61ctuator/prometheus", "/actuator;x/prometheus"}) {
      Answer sneaky = api.get(path, account.apiKey(), null);
      assertThat(sneaky.status()).as(path).isIn(400, 403);
      assertThat(sneaky.header("Content-Type")).startsWith("application/problem+json");
    }
    Answer metrics = api.get("/actuator/prometheus", REGISTRY.adminKey(), null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("dns_records_pending");
  }

  @Test
  void tomcatRefusalsAreProblemDetailsToo() {
    ApiClient api = new ApiClient("http://127.0.0.1:" + port);
    Answer slash = api.get("/api/dns/a%2fb", REGISTRY.adminKey(), null);
    assertThat(slash.status()).isEqualTo(400);
    assertThat(slash.header("Content-Type")).startsWith("application/problem+json");
    assertThat(slash.body()).doesNotContain("<html");
    Answer hugeHeader = api.get("/api/dns/alice", "x".repeat(9000), null);
    assertThat(hugeHeader.status()).isBetween(400, 499);
    assertThat(hugeHeader.body()).doesNotContain("<html");
  }

  @Test
  void duplicateKeysAndCoercedScalarsAreRefused() {
    ApiClient api = new ApiClient("http://127.0.0.1:" + port);
    String name = SharedFixtures.uniqueName("strict");
    Account account = REGISTRY.createAccount(name, name, RunningRegistry.Product.JETSON);
    EnrolledJetson jetson = REGISTRY.enrollJetson(account, key(), "jetson");
    String t = jetson.deviceToken();
    assertThat(api.update(t, "{\"subdomain\":\"" + name + "\",\"subdomain\":\"x\"}", null).status())
        .isEqualTo(400);
    assertThat(api.update(t, "{\"subdomain\":true}", null).status()).isEqualTo(400);
    assertThat(api.update(t, "\uFEFF{\"subdomain\":\"" + name + "\"}", null).status())
        .isEqualTo(400);
  }

  private static String key() {
    return dev.spoq.common.wireguard.X25519.generate().publicKey().base64();
  }
}
