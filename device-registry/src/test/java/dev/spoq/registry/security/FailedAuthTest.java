package dev.spoq.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.token.Tokens;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13 items 4 and 7: failed authentication is rate-limited per source (429 + Retry-After), and
 * refusals are audited as one row per source and window with a count.
 */
class FailedAuthTest {

  private static RunningRegistry registry;

  @BeforeAll
  static void start() {
    registry =
        RunningRegistry.builder()
            .property("spoq.security.failed-auth.limit", "30")
            .property("spoq.security.failed-auth.window", "PT15S")
            .property("spoq.security.audit-aggregation-window", "PT1M")
            .start();
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  @Test
  void aThousandBadTokensGiveOneAuditRowWithACountAnd429AfterTheLimit() throws Exception {
    long rowsBefore = authFailedRows();
    int unauthorized = 0;
    int limited = 0;
    String retryAfter = null;
    for (int i = 0; i < 1000; i++) {
      RunningRegistry.Response r =
          registry.call("GET", "/api/accounts", Tokens.generate("spoq_key"), null);
      if (r.status() == 401) {
        unauthorized++;
      } else if (r.status() == 429) {
        limited++;
        retryAfter = r.header("Retry-After");
        assertThat(r.header("Content-Type")).contains("application/problem+json");
      }
    }
    System.out.printf(
        "1000 random API keys from one source: %d x 401, %d x 429, %d new auth.failed rows%n",
        unauthorized, limited, authFailedRows() - rowsBefore);
    assertThat(unauthorized).isEqualTo(30);
    assertThat(limited).isEqualTo(970);
    assertThat(Integer.parseInt(retryAfter)).isBetween(1, 15);
    // even a valid key waits while the source is over its limit
    assertThat(registry.call("GET", "/api/accounts", registry.adminKey(), null).status())
        .isEqualTo(429);

    Thread.sleep(2500); // the counts are written every 2 s
    assertThat(authFailedRows() - rowsBefore).isEqualTo(1);
    Long count =
        jdbc()
            .sql(
                "SELECT (details->>'count')::bigint FROM audit_event WHERE action = 'auth.failed' ORDER BY id DESC LIMIT 1")
            .query(Long.class)
            .single();
    assertThat(count).isEqualTo(30);
    Long limitedCount =
        jdbc()
            .sql(
                "SELECT (details->>'count')::bigint FROM audit_event WHERE action = 'auth.rate-limited' ORDER BY id DESC LIMIT 1")
            .query(Long.class)
            .single();
    assertThat(limitedCount).isEqualTo(971);

    // after the window the source may try again
    awaitNotLimited();
    assertThat(registry.call("GET", "/api/accounts", registry.adminKey(), null).status())
        .isEqualTo(200);
  }

  @Test
  void crossTenantDenialsAreAuditedIncludingTheFormerGaps() throws Exception {
    awaitNotLimited();
    RunningRegistry.Account alice = registry.createAccount("alice-d", "alice-d", Product.JETSON);
    RunningRegistry.Account bob = registry.createAccount("bob-d", "bob-d", Product.JETSON);
    RunningRegistry.EnrolledJetson aliceJetson =
        registry.enrollJetson(alice, X25519.generate().publicKey().base64(), "a");
    RunningRegistry.EnrolledJetson bobJetson =
        registry.enrollJetson(bob, X25519.generate().publicKey().base64(), "b");
    RunningRegistry.Device bobDevice =
        registry.addDevice(
            bobJetson.jetsonId(), 1, "bob-phone", X25519.generate().publicKey().base64());
    RunningRegistry.SshKey bobKey =
        registry.addSshKey(
            "bob-d",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bob");

    // a device read by id under the wrong Jetson (alice's own Jetson id, bob's device id)
    assertThat(
            registry
                .call(
                    "GET",
                    "/api/jetsons/" + aliceJetson.jetsonId() + "/devices/" + bobDevice.id(),
                    alice.apiKey(),
                    null)
                .status())
        .isEqualTo(404);
    // a device revoke by another Jetson's token
    assertThat(
            registry
                .call(
                    "POST",
                    "/api/jetsons/self/devices/" + bobDevice.id() + "/revoke",
                    aliceJetson.deviceToken(),
                    null)
                .status())
        .isEqualTo(404);
    // an SSH key delete of another account's key through one's own account path
    assertThat(
            registry
                .call(
                    "DELETE", "/api/accounts/alice-d/ssh-keys/" + bobKey.id(), alice.apiKey(), null)
                .status())
        .isEqualTo(404);

    JsonNode denied =
        registry
            .call("GET", "/api/audit-events?outcome=DENIED&size=50", registry.adminKey(), null)
            .json()
            .get("items");
    assertThat(denied)
        .anySatisfy(e -> assertThat(e.get("action").asString()).isEqualTo("device.read"))
        .anySatisfy(e -> assertThat(e.get("action").asString()).isEqualTo("device.revoke"))
        .anySatisfy(e -> assertThat(e.get("action").asString()).isEqualTo("ssh-key.revoke"));
    // nothing changed
    assertThat(
            registry
                .call(
                    "GET",
                    "/api/jetsons/" + bobJetson.jetsonId() + "/devices/" + bobDevice.id(),
                    bob.apiKey(),
                    null)
                .json()
                .get("device")
                .get("revoked")
                .asBoolean())
        .isFalse();
    // repeated denials are one row with a count
    for (int i = 0; i < 5; i++) {
      registry.call(
          "GET",
          "/api/jetsons/" + aliceJetson.jetsonId() + "/devices/" + bobDevice.id(),
          alice.apiKey(),
          null);
    }
    Thread.sleep(2500);
    Long count =
        jdbc()
            .sql(
                "SELECT (details->>'count')::bigint FROM audit_event WHERE action = 'device.read' AND outcome = 'DENIED' ORDER BY id DESC LIMIT 1")
            .query(Long.class)
            .single();
    assertThat(count).isEqualTo(6);
    assertThat(
            jdbc()
                .sql(
                    "SELECT count(*) FROM audit_event WHERE action = 'device.read' AND outcome = 'DENIED'")
                .query(Long.class)
                .single())
        .isEqualTo(1);
    assertThat(Map.of()).isEmpty();
  }

  private static void awaitNotLimited() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      if (registry.call("GET", "/api/accounts", registry.adminKey(), null).status() != 429) {
        return;
      }
      Thread.sleep(200);
    }
  }

  private static long authFailedRows() {
    return jdbc()
        .sql("SELECT count(*) FROM audit_event WHERE action = 'auth.failed'")
        .query(Long.class)
        .single();
  }

  private static JdbcClient jdbc() {
    return registry.context().getBean(JdbcClient.class);
  }
}
