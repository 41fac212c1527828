package dev.spoq.dns.record;

import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.testing.ApiClient;
import dev.spoq.dns.testing.CloudflareStub;
import dev.spoq.dns.testing.SharedFixtures;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Account;
import dev.spoq.registry.testing.RunningRegistry.EnrolledJetson;
import dev.spoq.registry.testing.RunningRegistry.Product;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real service on real PostgreSQL, authenticating against a real device registry, writing to
 * the Cloudflare stub. Subclasses share one Spring context (same configuration).
 */
@SpringBootTest(
    classes = DnsApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=dns-api", "logging.structured.format.console="})
abstract class CloudflareBackedTest {

  static final int DEVICE_LIMIT = 5;
  static final int SOURCE_IP_LIMIT = 30;

  static final String COORDINATOR_TOKEN = "svc-coordinator-" + System.nanoTime();
  static final String JUMP_ROUTER_TOKEN = "svc-jump-" + System.nanoTime();

  static final RunningRegistry REGISTRY = SharedFixtures.registry();
  static final CloudflareStub CLOUDFLARE = SharedFixtures.cloudflare();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    TestPostgres.register(registry, "dns_api");
    registry.add("spoq.registry.base-url", REGISTRY::baseUrl);
    registry.add("spoq.registry.service-token", () -> REGISTRY.serviceToken("dns-api"));
    registry.add("spoq.dns.provider", () -> "cloudflare");
    registry.add("spoq.dns.cloudflare.base-url", CLOUDFLARE::baseUrl);
    registry.add("spoq.dns.cloudflare.api-token", () -> SharedFixtures.CLOUDFLARE_TOKEN);
    registry.add("spoq.dns.trusted-proxies", () -> "127.0.0.1/32,::1/128");
    registry.add("spoq.dns.rate-limit.device-requests", () -> DEVICE_LIMIT);
    registry.add("spoq.dns.rate-limit.source-ip-requests", () -> SOURCE_IP_LIMIT);
    registry.add("spoq.dns.reconcile.poll-interval", () -> "200ms");
    registry.add("spoq.dns.reconcile.initial-backoff", () -> "300ms");
    registry.add("spoq.dns.reconcile.max-backoff", () -> "2s");
    registry.add("spoq.dns.reconcile.drift-interval", () -> "1h");
    registry.add("spoq.dns.service-tokens.relay-coordinator", () -> COORDINATOR_TOKEN);
    registry.add("spoq.dns.service-tokens.jump-router", () -> JUMP_ROUTER_TOKEN);
    registry.add("spoq.dns.denial-audit-window", () -> "3s");
  }

  @LocalServerPort int port;
  ApiClient api;

  @BeforeEach
  void client() {
    api = new ApiClient("http://127.0.0.1:" + port);
  }

  @AfterEach
  void stubSpokeTheApiCorrectly() {
    org.assertj.core.api.Assertions.assertThat(CLOUDFLARE.violations())
        .as("requests the Cloudflare stub found malformed")
        .isEmpty();
  }

  /** A JETSON account with an enrolled Jetson: subdomain, device token, account API key. */
  record Home(Account account, EnrolledJetson jetson) {
    String subdomain() {
      return jetson.subdomain();
    }

    String fqdn() {
      return jetson.subdomain() + ".spoq.dev";
    }

    String token() {
      return jetson.deviceToken();
    }
  }

  static Home newHome(String prefix) {
    String name = SharedFixtures.uniqueName(prefix);
    Account account = REGISTRY.createAccount(name, name, Product.JETSON);
    EnrolledJetson jetson =
        REGISTRY.enrollJetson(
            account,
            dev.spoq.common.wireguard.X25519.generate().publicKey().base64(),
            name + "-jetson");
    return new Home(account, jetson);
  }

  /** A fresh public address for X-Forwarded-For, so per-address limits do not mix tests. */
  static String someClientAddress() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "81." + r.nextInt(1, 255) + "." + r.nextInt(0, 255) + "." + r.nextInt(1, 255);
  }

  static String body(String subdomain, String ip) {
    return ip == null
        ? "{\"subdomain\":\"" + subdomain + "\"}"
        : "{\"subdomain\":\"" + subdomain + "\",\"ip\":\"" + ip + "\"}";
  }

  /** Cloudflare requests that concerned one name (lookups by name, writes naming it). */
  static long cloudflareCallsFor(String fqdn) {
    return CLOUDFLARE.calls().stream()
        .filter(
            c ->
                fqdn.equals(c.query().get("name"))
                    || c.body().contains("\"name\":\"" + fqdn + "\""))
        .count();
  }
}
