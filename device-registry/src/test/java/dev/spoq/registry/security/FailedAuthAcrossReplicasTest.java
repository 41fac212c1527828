package dev.spoq.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.token.Tokens;
import dev.spoq.registry.audit.AggregatedAudit;
import dev.spoq.registry.testing.RunningRegistry;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Issue 11 (with issue 13 item 4): two registry replicas on one database share the failed
 * authentication limit and the refusal audit. Five failures on each replica use up a limit of ten,
 * the next failure on either is a 429, and the whole burst is ONE {@code auth.failed} row whose
 * count is the sum of both replicas' failures.
 */
class FailedAuthAcrossReplicasTest {

  private static final Map<String, Object> PROPS =
      Map.of(
          "spoq.security.failed-auth.limit", "10",
          "spoq.security.failed-auth.window", "PT30S",
          "spoq.security.audit-aggregation-window", "PT1M");

  private static RunningRegistry a;
  private static RunningRegistry b;

  @BeforeAll
  static void start() {
    a = RunningRegistry.start(PROPS);
    b = RunningRegistry.replicaOf(a, PROPS);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  @Test
  void theLimitAndTheAggregatedAuditRowHoldAcrossReplicas() {
    String path = "/api/accounts?probe=" + System.nanoTime();
    for (int i = 0; i < 10; i++) {
      RunningRegistry replica = i % 2 == 0 ? a : b;
      assertThat(replica.call("GET", path, Tokens.generate("spoq_key"), null).status())
          .as("failure %d (limit 10 across both replicas)", i + 1)
          .isEqualTo(401);
    }
    // the eleventh failure, on the replica that did not count the tenth, is refused too
    RunningRegistry.Response eleventh = a.call("GET", path, Tokens.generate("spoq_key"), null);
    assertThat(eleventh.status()).isEqualTo(429);
    assertThat(Integer.parseInt(eleventh.header("Retry-After"))).isBetween(1, 30);
    assertThat(b.call("GET", path, Tokens.generate("spoq_key"), null).status()).isEqualTo(429);
    // both replicas now hold the source back, even with a valid key
    assertThat(a.call("GET", path, a.adminKey(), null).status()).isEqualTo(429);
    assertThat(b.call("GET", path, b.adminKey(), null).status()).isEqualTo(429);

    a.context().getBean(AggregatedAudit.class).flush();
    b.context().getBean(AggregatedAudit.class).flush();
    JdbcClient jdbc = a.context().getBean(JdbcClient.class);
    var failed =
        jdbc.sql(
                "SELECT (details->>'count')::bigint FROM audit_event"
                    + " WHERE action = 'auth.failed' AND target = ?")
            .param("GET " + path.substring(0, path.indexOf('?')))
            .query(Long.class)
            .list();
    var limited =
        jdbc.sql(
                "SELECT (details->>'count')::bigint FROM audit_event"
                    + " WHERE action = 'auth.rate-limited' AND target = ?")
            .param("GET " + path.substring(0, path.indexOf('?')))
            .query(Long.class)
            .list();
    System.out.printf(
        "two replicas, limit 10: auth.failed rows %s, auth.rate-limited rows %s%n",
        failed, limited);
    assertThat(failed).containsExactly(10L);
    assertThat(limited).containsExactly(4L);
  }
}
