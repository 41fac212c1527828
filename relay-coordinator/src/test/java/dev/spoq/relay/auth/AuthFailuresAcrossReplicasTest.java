package dev.spoq.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.token.Tokens;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.audit.DenialAudit;
import dev.spoq.relay.support.SharedRegistry;
import dev.spoq.relay.testing.RunningCoordinator;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 (with issue 13 item 4): two coordinator replicas on ONE database share the
 * failed-authentication limit and the refusal audit. Three failures on each replica use up a limit
 * of six; the next failure is a 429 on either replica, and the burst reaches the registry's audit
 * log as ONE {@code auth.failed} row with the summed count.
 */
class AuthFailuresAcrossReplicasTest {

  @Test
  void theLimitAndTheAggregatedAuditRowHoldAcrossReplicas() throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    TestPostgres.Database db = TestPostgres.newDatabase("relay");
    List<RunningCoordinator> replicas = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        replicas.add(
            RunningCoordinator.builder(registry)
                .database(db)
                .property("spoq.relay.auth.max-failures-per-window", "6")
                .property("spoq.relay.auth.failure-window", "60s")
                .property("spoq.relay.audit.flush-interval", "1h")
                .start());
      }
      RunningCoordinator a = replicas.get(0);
      RunningCoordinator b = replicas.get(1);
      String path = "/api/relays/limit-" + System.nanoTime();
      for (int i = 0; i < 6; i++) {
        RunningCoordinator replica = i % 2 == 0 ? a : b;
        assertThat(replica.call("GET", path, Tokens.generate("spoq_key"), null).status())
            .as("failure %d (limit 6 across both replicas)", i + 1)
            .isEqualTo(401);
      }
      RunningCoordinator.Response seventh = a.call("GET", path, Tokens.generate("spoq_key"), null);
      assertThat(seventh.status()).isEqualTo(429);
      assertThat(Integer.parseInt(seventh.header("Retry-After"))).isBetween(1, 61);
      assertThat(b.call("GET", path, Tokens.generate("spoq_key"), null).status()).isEqualTo(429);
      assertThat(a.call("GET", "/api/relays", registry.adminKey(), null).status()).isEqualTo(429);
      assertThat(b.call("GET", "/api/relays", registry.adminKey(), null).status()).isEqualTo(429);

      // both replicas add their counts to the shared window; it is reported once
      b.context().getBean(DenialAudit.class).push();
      a.context().getBean(DenialAudit.class).flush();
      b.context().getBean(DenialAudit.class).flush();
      var rdb = registry.database();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                List<Long> counts = new ArrayList<>();
                try (var conn =
                        DriverManager.getConnection(rdb.jdbcUrl(), rdb.username(), rdb.password());
                    var st =
                        conn.prepareStatement(
                            "SELECT (details->>'count')::bigint FROM registry.audit_event"
                                + " WHERE action = 'auth.failed' AND target = ?")) {
                  st.setString(1, path);
                  var rs = st.executeQuery();
                  while (rs.next()) {
                    counts.add(rs.getLong(1));
                  }
                }
                System.out.printf("two replicas, limit 6: auth.failed rows %s%n", counts);
                // six failures within the limit and the seventh, beyond it, on the other replica
                assertThat(counts).containsExactly(7L);
              });
    } finally {
      replicas.forEach(RunningCoordinator::close);
    }
  }
}
