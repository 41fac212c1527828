package dev.spoq.jump.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.RegistryClient;
import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.config.JumpProperties;
import dev.spoq.jump.session.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.sshd.common.SshConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionGuardTest {

  private final MutableClock clock = new MutableClock();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RouterMetrics metrics = new RouterMetrics(meters);
  // Nothing listens on port 9 of loopback: the audit copy for the registry is simply not delivered.
  private final AuditTrail audit =
      new AuditTrail(
          new RegistryClient(URI.create("http://127.0.0.1:9"), "t", Duration.ofMillis(200)),
          100,
          meters);
  // 6 unauthenticated closes a minute, budget 3; pair ban after 5, address ban after 8;
  // MaxStartups 4:50:8; 3 unauthenticated connections per source.
  private final JumpProperties.Limits limits =
      new JumpProperties.Limits(
          6, 3, 5, 8, Duration.ofMinutes(10), Duration.ofMinutes(10), 10, 100, 6, "4:50:8", 3, 1);
  private double nextRandom = 0.99;
  private final ConnectionGuard guard =
      new ConnectionGuard(limits, metrics, audit, clock, () -> nextRandom);

  @AfterEach
  void close() {
    audit.close();
  }

  private ConnectionGuard.Refusal admit(String ip) {
    return guard.admit(new InetSocketAddress(ip, 40000));
  }

  @Test
  void authenticatedConnectionsCostTheirAddressNothing() {
    for (int i = 0; i < 50; i++) {
      assertThat(admit("192.0.2.1")).isNull();
      guard.authenticated("192.0.2.1");
    }
    assertThat(guard.isThrottled("192.0.2.1")).isFalse();
  }

  @Test
  void anAddressThatSpendsItsFailureBudgetGetsOneUnauthenticatedSlotAtATime() {
    for (int i = 0; i < 3; i++) {
      assertThat(admit("192.0.2.1")).isNull();
      guard.closedUnauthenticated("192.0.2.1", null, false);
    }
    assertThat(guard.isThrottled("192.0.2.1")).isTrue();
    assertThat(admit("192.0.2.1")).isNull(); // the one slot: a registered key still gets in
    ConnectionGuard.Refusal second = admit("192.0.2.1");
    assertThat(second.reason()).isEqualTo("per-source");
    assertThat(second.code()).isEqualTo(SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS);
    guard.authenticated("192.0.2.1");
    assertThat(admit("192.0.2.1")).isNull();
    // another address is not affected
    assertThat(admit("192.0.2.2")).isNull();
    assertThat(admit("192.0.2.2")).isNull();
    // 6 per minute: a token back after 10 s
    clock.advance(Duration.ofSeconds(10));
    assertThat(guard.isThrottled("192.0.2.1")).isFalse();
    assertThat(meters.counter("spoq.jump.connections.refused", "reason", "per-source").count())
        .isEqualTo(1);
  }

  @Test
  void perSourceShareCapsUnauthenticatedConnectionsOfOneAddress() {
    for (int i = 0; i < 3; i++) {
      assertThat(admit("192.0.2.9")).isNull();
    }
    assertThat(admit("192.0.2.9").reason()).isEqualTo("per-source");
    assertThat(admit("192.0.2.10")).isNull();
  }

  @Test
  void maxStartupsDropsAtRandomBetweenStartAndFull() {
    for (int i = 0; i < 4; i++) {
      assertThat(admit("198.51.100." + i)).isNull();
    }
    // at start (4 unauthenticated) the drop probability is 50 %
    nextRandom = 0.49;
    assertThat(admit("198.51.100.20").reason()).isEqualTo("startups");
    nextRandom = 0.51;
    assertThat(admit("198.51.100.21")).isNull();
    // 5 of 8: 62.5 %
    nextRandom = 0.60;
    assertThat(admit("198.51.100.22").reason()).isEqualTo("startups");
    nextRandom = 0.99;
    assertThat(admit("198.51.100.23")).isNull();
    assertThat(admit("198.51.100.24")).isNull();
    assertThat(admit("198.51.100.25")).isNull();
    // full (8): always
    nextRandom = 0.999999;
    assertThat(admit("198.51.100.26").reason()).isEqualTo("startups");
    guard.authenticated("198.51.100.0");
    nextRandom = 0.99;
    assertThat(admit("198.51.100.27")).isNull();
  }

  @Test
  void failuresBanThePairFirstAndTheAddressOnlyLater() {
    String ip = "198.51.100.7";
    for (int i = 0; i < 5; i++) {
      admit(ip);
      guard.closedUnauthenticated(ip, "mallory", true);
    }
    assertThat(guard.isBanned(ip, "mallory")).isTrue();
    assertThat(guard.isBanned(ip, "alice")).isFalse();
    assertThat(guard.isBanned(ip)).isFalse();
    assertThat(meters.counter("spoq.jump.bans", "scope", "user").count()).isEqualTo(1);
    for (int i = 0; i < 3; i++) {
      guard.closedUnauthenticated(ip, "eve" + i, true);
    }
    assertThat(guard.isBanned(ip)).isTrue();
    ConnectionGuard.Refusal banned = admit(ip);
    assertThat(banned.reason()).isEqualTo("banned");
    assertThat(banned.code()).isEqualTo(SshConstants.SSH2_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT);
    assertThat(guard.isBanned("198.51.100.8")).isFalse();

    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertThat(guard.isBanned(ip)).isFalse();
    assertThat(guard.isBanned(ip, "mallory")).isFalse();
  }

  @Test
  void failuresOutsideTheWindowDoNotAddUp() {
    for (int i = 0; i < 4; i++) {
      guard.closedUnauthenticated("203.0.113.9", "mallory", true);
    }
    clock.advance(Duration.ofMinutes(11));
    guard.closedUnauthenticated("203.0.113.9", "mallory", true);
    assertThat(guard.isBanned("203.0.113.9", "mallory")).isFalse();
  }

  @Test
  void bansAndSpentBudgetsOfOtherReplicasApply() {
    guard.applyShared(
        java.util.Map.of(
            "192.0.2.77",
            clock.instant().plusSeconds(60),
            ConnectionGuard.pairKey("192.0.2.78", "bob"),
            clock.instant().plusSeconds(60)),
        java.util.Set.of("192.0.2.79"));
    assertThat(admit("192.0.2.77").reason()).isEqualTo("banned");
    assertThat(guard.isBanned("192.0.2.78", "bob")).isTrue();
    assertThat(guard.isThrottled("192.0.2.79")).isTrue();
  }

  static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
