package dev.spoq.jump.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.common.registry.RegistryClient;
import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.config.JumpProperties;
import dev.spoq.jump.session.RouterMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
  private final JumpProperties.Limits limits =
      new JumpProperties.Limits(
          6, 3, 5, Duration.ofMinutes(10), Duration.ofMinutes(10), 10, 10, 6, 100);
  private final ConnectionGuard guard = new ConnectionGuard(limits, metrics, audit, clock);

  @AfterEach
  void close() {
    audit.close();
  }

  private void accept(String ip) throws IOException {
    guard.admit(new InetSocketAddress(ip, 40000));
  }

  @Test
  void burstThenRateLimitPerSourceAddress() throws Exception {
    accept("192.0.2.1");
    accept("192.0.2.1");
    accept("192.0.2.1");
    assertThatThrownBy(() -> accept("192.0.2.1")).hasMessageContaining("rate-limited");
    // another address is not affected
    accept("192.0.2.2");
    // 6 per minute: one token back after 10 s
    clock.advance(Duration.ofSeconds(10));
    accept("192.0.2.1");
    assertThatThrownBy(() -> accept("192.0.2.1")).hasMessageContaining("rate-limited");
    assertThat(meters.counter("spoq.jump.connections.refused", "reason", "rate-limited").count())
        .isEqualTo(2);
  }

  @Test
  void fiveFailuresBanForTenMinutes() throws Exception {
    for (int i = 0; i < 4; i++) {
      guard.authenticationFailed("198.51.100.7");
    }
    assertThat(guard.isBanned("198.51.100.7")).isFalse();
    guard.authenticationFailed("198.51.100.7");
    assertThat(guard.isBanned("198.51.100.7")).isTrue();
    assertThatThrownBy(() -> accept("198.51.100.7")).hasMessageContaining("banned");
    assertThat(guard.isBanned("198.51.100.8")).isFalse();
    assertThat(meters.counter("spoq.jump.bans").count()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(10).plusSeconds(1));
    assertThat(guard.isBanned("198.51.100.7")).isFalse();
    accept("198.51.100.7");
  }

  @Test
  void failuresOutsideTheWindowDoNotAddUp() {
    for (int i = 0; i < 4; i++) {
      guard.authenticationFailed("203.0.113.9");
    }
    clock.advance(Duration.ofMinutes(11));
    guard.authenticationFailed("203.0.113.9");
    assertThat(guard.isBanned("203.0.113.9")).isFalse();
  }

  @Test
  void refusesEveryoneWhileTooManyConnectionsAreUnauthenticated() throws Exception {
    metrics.unauthenticatedConnections().set(100);
    assertThatThrownBy(() -> accept("192.0.2.50")).hasMessageContaining("too-many-unauthenticated");
    metrics.unauthenticatedConnections().set(99);
    accept("192.0.2.50");
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
