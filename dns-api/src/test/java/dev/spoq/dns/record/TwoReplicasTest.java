package dev.spoq.dns.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.testing.ApiClient;
import dev.spoq.dns.testing.ApiClient.Answer;
import dev.spoq.dns.testing.CloudflareStub;
import dev.spoq.dns.testing.SharedFixtures;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.postgres.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Issue 11: two dns-api replicas on ONE database. Each scheduled job runs once per period across
 * them (ShedLock), and the rate limits hold for the fleet, not per replica.
 */
class TwoReplicasTest {

  private static final int DEVICE_LIMIT = 4;
  private static final int SOURCE_IP_LIMIT = 6;

  private static final RunningRegistry REGISTRY = SharedFixtures.registry();

  /** Its own stub: the other tests stop and restart the shared one. */
  private static final CloudflareStub CLOUDFLARE =
      new CloudflareStub("spoq.dev", SharedFixtures.CLOUDFLARE_TOKEN);

  private static final List<ConfigurableApplicationContext> REPLICAS = new ArrayList<>();
  private static TestPostgres.Database db;

  @BeforeAll
  static void startTwoReplicas() {
    db = TestPostgres.newDatabase("dns_replicas");
    for (int i = 0; i < 2; i++) {
      REPLICAS.add(
          new SpringApplicationBuilder(DnsApiApplication.class)
              .properties("spring.config.name=dns-api")
              .run(
                  "--server.port=0",
                  "--server.address=127.0.0.1",
                  "--spring.datasource.url=" + db.jdbcUrl(),
                  "--spring.datasource.username=" + db.username(),
                  "--spring.datasource.password=" + db.password(),
                  "--spoq.registry.base-url=" + REGISTRY.baseUrl(),
                  "--spoq.registry.service-token=" + REGISTRY.serviceToken("dns-api"),
                  "--spoq.dns.provider=cloudflare",
                  "--spoq.dns.cloudflare.base-url=" + CLOUDFLARE.baseUrl(),
                  "--spoq.dns.cloudflare.api-token=" + SharedFixtures.CLOUDFLARE_TOKEN,
                  "--spoq.dns.trusted-proxies=127.0.0.1/32",
                  "--spoq.dns.rate-limit.device-requests=" + DEVICE_LIMIT,
                  "--spoq.dns.rate-limit.source-ip-requests=" + SOURCE_IP_LIMIT,
                  "--spoq.dns.reconcile.poll-interval=1s",
                  "--spoq.dns.reconcile.drift-interval=2s",
                  "--logging.structured.format.console=",
                  "--logging.level.root=WARN"));
    }
  }

  @AfterAll
  static void stopReplicas() {
    REPLICAS.forEach(ConfigurableApplicationContext::close);
    CLOUDFLARE.close();
  }

  private static ApiClient client(int replica) {
    return new ApiClient(
        "http://127.0.0.1:"
            + REPLICAS.get(replica).getEnvironment().getProperty("local.server.port"));
  }

  private static double runs(String job) {
    double total = 0;
    for (ConfigurableApplicationContext replica : REPLICAS) {
      var counter =
          replica
              .getBean(MeterRegistry.class)
              .find("dns.reconciler.runs")
              .tag("job", job)
              .counter();
      total += counter == null ? 0 : counter.count();
    }
    return total;
  }

  @Test
  void eachScheduledJobRunsOncePerPeriodAcrossTheReplicas() throws Exception {
    Thread.sleep(2500);
    double retry0 = runs("retry");
    double drift0 = runs("drift-repair");
    int seconds = 12;
    Thread.sleep(seconds * 1000L);
    double retries = runs("retry") - retry0;
    double drifts = runs("drift-repair") - drift0;
    System.out.printf(
        "two replicas, %d s: retry job ran %.0f times (1 s period), drift repair %.0f times (2 s"
            + " period); without the lock about %d and %d%n",
        seconds, retries, drifts, 2 * seconds, seconds);

    // Without the lock both replicas run each job: about 2 x the number of periods.
    assertThat(retries).isBetween(seconds - 3.0, seconds + 2.0);
    assertThat(drifts).isBetween(seconds / 2 - 2.0, seconds / 2 + 1.0);
    try (var conn = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        var rs = conn.createStatement().executeQuery("SELECT name FROM dns.shedlock")) {
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString(1));
      }
      assertThat(names).contains("dns-retry", "dns-drift-repair");
    }
  }

  @Test
  void theDeviceLimitHoldsAcrossReplicas() {
    CloudflareBackedTest.Home home = CloudflareBackedTest.newHome("fleet");
    for (int i = 0; i < DEVICE_LIMIT; i++) {
      Answer ok =
          client(i % 2)
              .update(
                  home.token(),
                  CloudflareBackedTest.body(home.subdomain(), "73.47.0." + (i + 1)),
                  CloudflareBackedTest.someClientAddress());
      assertThat(ok.status()).as(ok.body()).isIn(200, 202);
    }

    for (int replica = 0; replica < 2; replica++) {
      Answer limited =
          client(replica)
              .update(
                  home.token(),
                  CloudflareBackedTest.body(home.subdomain(), "73.47.0.99"),
                  CloudflareBackedTest.someClientAddress());
      assertThat(limited.status()).as("replica " + replica).isEqualTo(429);
      assertThat(limited.header("Retry-After")).isNotBlank();
    }
  }

  @Test
  void theSourceAddressLimitHoldsAcrossReplicas() {
    String from = CloudflareBackedTest.someClientAddress();
    for (int i = 0; i < SOURCE_IP_LIMIT; i++) {
      assertThat(
              client(i % 2)
                  .update(null, CloudflareBackedTest.body("nobody", "8.8.8.8"), from)
                  .status())
          .isEqualTo(401);
    }

    assertThat(client(0).update(null, CloudflareBackedTest.body("x", "8.8.8.8"), from).status())
        .isEqualTo(429);
    assertThat(client(1).update(null, CloudflareBackedTest.body("x", "8.8.8.8"), from).status())
        .isEqualTo(429);
  }
}
