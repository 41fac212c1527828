package dev.spoq.dns.provider.rfc2136;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.bootstrap.BootstrapCommand;
import dev.spoq.dns.provider.ProviderRecord;
import dev.spoq.dns.provider.RecordType;
import dev.spoq.dns.record.Reconciler;
import dev.spoq.dns.testing.ApiClient;
import dev.spoq.dns.testing.ApiClient.Answer;
import dev.spoq.dns.testing.DnsQuery;
import dev.spoq.dns.testing.RunningNamed;
import dev.spoq.dns.testing.SharedFixtures;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Account;
import dev.spoq.registry.testing.RunningRegistry.EnrolledJetson;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole service with {@code spoq.dns.provider=rfc2136} against a real BIND named: what a Jetson
 * posts is what a resolver gets, and the bootstrap command writes the static records.
 */
@SpringBootTest(
    classes = DnsApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=dns-api", "logging.structured.format.console="})
class Rfc2136ServiceIT {

  static final RunningRegistry REGISTRY = SharedFixtures.registry();
  static RunningNamed named;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    named = RunningNamed.start("spoq.dev");
    TestPostgres.register(registry, "dns_api_rfc2136");
    registry.add("spoq.registry.base-url", REGISTRY::baseUrl);
    registry.add("spoq.registry.service-token", () -> REGISTRY.serviceToken("dns-api"));
    registry.add("spoq.dns.provider", () -> "rfc2136");
    registry.add("spoq.dns.rfc2136.server", () -> "127.0.0.1");
    registry.add("spoq.dns.rfc2136.port", named::port);
    registry.add("spoq.dns.rfc2136.key-name", named::keyName);
    registry.add("spoq.dns.rfc2136.key-secret", named::keySecret);
    registry.add("spoq.dns.reconcile.drift-interval", () -> "1h");
  }

  @AfterAll
  static void stopNamed() {
    if (named != null) {
      named.close();
    }
  }

  @LocalServerPort int port;
  @Autowired Reconciler reconciler;

  @Test
  void aJetsonUpdateIsServedByTheDnsServer() {
    ApiClient api = new ApiClient("http://127.0.0.1:" + port);
    EnrolledJetson jetson = enroll();
    String fqdn = jetson.subdomain() + ".spoq.dev";

    Answer first =
        api.update(
            jetson.deviceToken(),
            "{\"subdomain\":\"" + jetson.subdomain() + "\",\"ip\":\"73.45.123.89\"}",
            null);
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().path("status").asString()).isEqualTo("updated");
    assertThat(DnsQuery.query(named.address(), fqdn, "A"))
        .containsExactly(new DnsQuery.Answer("73.45.123.89", 60));

    Answer moved =
        api.update(
            jetson.deviceToken(),
            "{\"subdomain\":\"" + jetson.subdomain() + "\",\"ip\":\"73.45.123.90\"}",
            null);
    assertThat(moved.json().path("status").asString()).isEqualTo("updated");
    assertThat(DnsQuery.query(named.address(), fqdn, "A"))
        .containsExactly(new DnsQuery.Answer("73.45.123.90", 60));
  }

  @Test
  void aRecordChangedByHandOnTheServerIsPutBack() {
    ApiClient api = new ApiClient("http://127.0.0.1:" + port);
    EnrolledJetson jetson = enroll();
    String fqdn = jetson.subdomain() + ".spoq.dev";
    api.update(
        jetson.deviceToken(),
        "{\"subdomain\":\"" + jetson.subdomain() + "\",\"ip\":\"73.45.10.10\"}",
        null);
    Rfc2136Provider byHand =
        new Rfc2136Provider(
            named.address(),
            "spoq.dev",
            named.keyName(),
            "hmac-sha256",
            named.keySecret(),
            Duration.ofSeconds(3));
    byHand.upsert(new ProviderRecord(fqdn, RecordType.A, "6.6.6.6", 300, false));
    assertThat(DnsQuery.query(named.address(), fqdn, "A"))
        .extracting(DnsQuery.Answer::data)
        .containsExactly("6.6.6.6");

    reconciler.repairDrift();

    assertThat(DnsQuery.query(named.address(), fqdn, "A"))
        .containsExactly(new DnsQuery.Answer("73.45.10.10", 60));
  }

  @Test
  void bootstrapWritesTheStaticRecordsIdempotently() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] args = {
      "--spoq.dns.provider=rfc2136",
      "--spoq.dns.rfc2136.server=127.0.0.1",
      "--spoq.dns.rfc2136.port=" + named.port(),
      "--spoq.dns.rfc2136.key-name=" + named.keyName(),
      "--spoq.dns.rfc2136.key-secret=" + named.keySecret(),
      "--spoq.dns.bootstrap.web-address=93.184.216.34",
      "--spoq.dns.bootstrap.ssh-address=93.184.216.35",
      "--spoq.dns.bootstrap.load-balancer-address=93.184.216.36",
      "--logging.structured.format.console="
    };
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);

    assertThat(BootstrapCommand.run(args, print, System.err)).isZero();

    assertThat(DnsQuery.query(named.address(), "spoq.dev", "A"))
        .extracting(DnsQuery.Answer::data)
        .containsExactly("93.184.216.34");
    assertThat(DnsQuery.query(named.address(), "ssh.spoq.dev", "A"))
        .extracting(DnsQuery.Answer::data)
        .containsExactly("93.184.216.35");
    assertThat(DnsQuery.query(named.address(), "www.spoq.dev", "CNAME"))
        .extracting(DnsQuery.Answer::data)
        .containsExactly("spoq.dev.");
    assertThat(DnsQuery.query(named.address(), "anything.spoq.dev", "CNAME"))
        .extracting(DnsQuery.Answer::data)
        .containsExactly("lb.spoq.dev.");

    out.reset();
    assertThat(BootstrapCommand.run(args, print, System.err)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("0 change(s) made")
        .doesNotContain("CREATE")
        .doesNotContain("UPDATE");
  }

  private static EnrolledJetson enroll() {
    String name = SharedFixtures.uniqueName("bind");
    Account account = REGISTRY.createAccount(name, name, RunningRegistry.Product.JETSON);
    return REGISTRY.enrollJetson(
        account, dev.spoq.common.wireguard.X25519.generate().publicKey().base64(), "jetson");
  }
}
