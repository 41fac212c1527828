package dev.spoq.relay.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.RevocationFeed;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.support.RelayServiceTest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Issue 13 item 3 and contract C4: a revocation at the real registry takes effect here within 2 s
 * through the pushed revocation feed, although every cache here would keep the old answer for
 * minutes (the feed raises the authentication cache TTL to 5 min and the plugin's to 5 min while it
 * is healthy): the device token is refused, a rotated token too, the frps plugin refuses the next
 * Ping, and the Jetson leaves its relay-server's Jetson set.
 */
class RevocationPushTest extends RelayServiceTest {

  private static final Duration LIMIT = Duration.ofSeconds(2);

  @Autowired RevocationFeed feed;

  private RunningRegistry.EnrolledJetson onFrp;
  private RunningRegistry.EnrolledJetson onSpoq;
  private String spoqToken;
  private String credential;

  @BeforeEach
  void fleet() throws Exception {
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(feed::healthy);
    Map<String, Object> spoq = new LinkedHashMap<>();
    spoq.put("id", "sp-1");
    spoq.put("kind", "spoq");
    spoq.put("region", "us");
    spoq.put("publicHost", "sp-1.relay.spoq.test");
    spoq.put("capacity", 1);
    spoqToken = call("POST", "/api/relays", admin(), spoq).json().get("relayToken").asString();
    call(
        "POST",
        "/internal/v1/relay-servers/sp-1/report",
        spoqToken,
        Map.of("startedAt", Instant.now().toString(), "sessions", List.of()));
    onSpoq = jetson("spq");
    assertThat(
            call("GET", "/api/relay/assignment", onSpoq.deviceToken(), null)
                .json()
                .get("kind")
                .asString())
        .isEqualTo("spoq");
    relay("us-1", "us", 40000, 40099, 100);
    health.pollAll();
    onFrp = jetson("frp");
    var a = call("GET", "/api/relay/assignment", onFrp.deviceToken(), null).json();
    assertThat(a.get("kind").asString()).isEqualTo("frp");
    credential = a.get("relayCredential").asString();
  }

  private Answer ping(String relayId, String cred) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", "0.1.0");
    body.put("op", "Ping");
    body.put(
        "content",
        Map.of(
            "user",
            Map.of("user", "", "metas", Map.of("spoq_relay_credential", cred), "run_id", "r1"),
            "timestamp",
            1L,
            "privilege_key",
            "k"));
    return call(
        "POST", "/frps-plugin/" + PLUGIN_SECRET + "/" + relayId + "/handler?op=Ping", null, body);
  }

  /** How long from {@code t0} until the condition holds (polled every 50 ms, at most 10 s). */
  private static Duration timeUntil(long t0, BooleanSupplier condition)
      throws InterruptedException {
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - t0 > Duration.ofSeconds(10).toNanos()) {
        throw new AssertionError("not within 10 s");
      }
      Thread.sleep(50);
    }
    return Duration.ofNanos(System.nanoTime() - t0);
  }

  @Test
  void aRevokedJetsonIsOutEverywhereWithinTwoSeconds() throws Exception {
    // warm every cache: token, plugin verdict, relay set
    assertThat(call("GET", "/api/relay/assignment", onFrp.deviceToken(), null).status())
        .isEqualTo(200);
    assertThat(ping("us-1", credential).json().get("reject").asBoolean()).isFalse();
    assertThat(ping("us-1", credential).json().get("reject").asBoolean()).isFalse();
    assertThat(call("GET", "/internal/v1/relay-servers/sp-1/jetsons", spoqToken, null).body())
        .contains(onSpoq.jetsonId().toString());

    registry().revokeJetson(onFrp.jetsonId());
    long revoked = System.nanoTime();
    Duration ping =
        timeUntil(revoked, () -> ping("us-1", credential).json().get("reject").asBoolean());
    Duration token =
        timeUntil(
            revoked,
            () ->
                call("POST", "/api/relay/credential/rotate", onFrp.deviceToken(), null).status()
                    == 401);
    assertThat(ping).isLessThan(LIMIT);
    assertThat(token).isLessThan(LIMIT);

    registry().revokeJetson(onSpoq.jetsonId());
    long revokedSpoq = System.nanoTime();
    Duration set =
        timeUntil(
            revokedSpoq,
            () ->
                !call("GET", "/internal/v1/relay-servers/sp-1/jetsons", spoqToken, null)
                    .body()
                    .contains(onSpoq.jetsonId().toString()));
    assertThat(set).isLessThan(LIMIT);
    System.out.printf(
        "revocation latency: frps Ping refused after %d ms, device token after %d ms, relay set after %d ms%n",
        ping.toMillis(), token.toMillis(), set.toMillis());
  }

  @Test
  void aRotatedDeviceTokenStopsWorkingWithinTwoSeconds() throws Exception {
    String old = onFrp.deviceToken();
    assertThat(call("GET", "/api/relay/assignment", old, null).status()).isEqualTo(200);
    String fresh = registry().rotateDeviceToken(onFrp.jetsonId());
    long rotated = System.nanoTime();
    Duration refused =
        timeUntil(
            rotated, () -> call("POST", "/api/relay/credential/rotate", old, null).status() == 401);
    assertThat(refused).isLessThan(LIMIT);
    assertThat(call("GET", "/api/relay/assignment", fresh, null).status()).isEqualTo(200);
  }
}
