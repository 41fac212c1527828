package dev.spoq.relay.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.relay.support.SharedRegistry;
import dev.spoq.relay.testing.RunningCoordinator;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: two coordinator replicas on ONE database run each scheduled job once per period, not
 * once per replica (ShedLock on the {@code shedlock} table). Both replicas schedule the health poll
 * and the usage scrape every second; the frps admin stand-in counts how often it was polled.
 */
class ScheduledJobsOnceAcrossReplicasTest {

  private static final int SECONDS = 10;

  @Test
  void eachJobRunsOncePerPeriodWithTwoReplicas() throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    TestPostgres.Database db = TestPostgres.newDatabase("relay");
    Map<String, String> props = new LinkedHashMap<>();
    props.put("spoq.relay.health.interval", "1s");
    props.put("spoq.relay.health.initial-delay", "0s");
    props.put("spoq.relay.health.lock-at-least-for", "PT0.9S");
    props.put("spoq.relay.usage.interval", "1s");
    props.put("spoq.relay.usage.initial-delay", "0s");
    props.put("spoq.relay.usage.lock-at-least-for", "PT0.9S");
    props.put("spoq.relay.spoq.check-interval", "1s");
    props.put("spoq.relay.spoq.check-lock-at-least-for", "PT0.9S");
    props.put("spoq.relay.reaper.interval", "1s");
    props.put("spoq.relay.reaper.initial-delay", "0s");
    props.put("spoq.relay.reaper.lock-at-least-for", "PT0.9S");
    List<RunningCoordinator> replicas = new ArrayList<>();
    try (FrpsAdminStub frps = new FrpsAdminStub("admin", "pw", 7000)) {
      for (int i = 0; i < 2; i++) {
        RunningCoordinator.Builder b = RunningCoordinator.builder(registry).database(db);
        props.forEach(b::property);
        replicas.add(b.start());
      }
      Map<String, Object> relay = new LinkedHashMap<>();
      relay.put("id", "eu-1");
      relay.put("region", "eu");
      relay.put("publicHost", "eu-1.relay.spoq.test");
      relay.put("bindPort", 7000);
      relay.put("udpPortRange", Map.of("start", 40000, "end", 40099));
      relay.put("capacity", 10);
      relay.put("adminUrl", frps.url());
      relay.put("adminUser", "admin");
      relay.put("adminPassword", "pw");
      assertThat(replicas.get(0).call("POST", "/api/relays", registry.adminKey(), relay).status())
          .isEqualTo(201);
      Thread.sleep(2000);
      int polls0 = frps.serverInfoCalls();
      int scrapes0 = frps.metricsCalls();
      Thread.sleep(SECONDS * 1000L);
      int polls = frps.serverInfoCalls() - polls0;
      int scrapes = frps.metricsCalls() - scrapes0;
      System.out.printf(
          "two replicas, %d s, 1 s period: %d health polls, %d usage scrapes (one replica per period would be %d; every replica %d)%n",
          SECONDS, polls, scrapes, SECONDS, 2 * SECONDS);
      // Without the lock both replicas poll: about 2 x SECONDS. With it: one per period.
      assertThat(polls).isBetween(SECONDS - 3, SECONDS + 2);
      assertThat(scrapes).isBetween(SECONDS - 3, SECONDS + 2);
      try (var conn = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
          var rs =
              conn.createStatement()
                  .executeQuery("SELECT name FROM relay.shedlock ORDER BY name")) {
        List<String> names = new ArrayList<>();
        while (rs.next()) {
          names.add(rs.getString(1));
        }
        assertThat(names)
            .contains(
                "relay-assignment-reaper",
                "relay-health-poll",
                "relay-report-check",
                "relay-usage-scrape");
      }
    } finally {
      replicas.forEach(RunningCoordinator::close);
    }
  }
}
