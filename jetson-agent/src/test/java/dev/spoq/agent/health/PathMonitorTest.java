package dev.spoq.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class PathMonitorTest {

  static final class MutableClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

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

    void advance(Duration d) {
      now = now.plus(d);
    }
  }

  @Test
  void failsOverAfterThresholdAndFailsBackOnlyAfterSustainedHealth() {
    MutableClock clock = new MutableClock();
    PathMonitor m = new PathMonitor(clock, 2, Duration.ofSeconds(60));
    assertThat(m.update(null, true)).isNull();
    assertThat(m.update("no direct traffic", true)).isNull();
    clock.advance(Duration.ofSeconds(5));
    PathMonitor.Transition t = m.update("no direct traffic", true);
    assertThat(t.to()).isEqualTo(PathMonitor.Path.RELAY);
    assertThat(m.path()).isEqualTo(PathMonitor.Path.RELAY);

    // Flapping direct health does not fail back.
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(5));
      assertThat(m.update(i % 2 == 0 ? null : "blip", true)).isNull();
    }
    assertThat(m.path()).isEqualTo(PathMonitor.Path.RELAY);

    // 60 s of continuous health: back to direct, exactly once.
    for (int i = 0; i <= 12; i++) {
      m.update(null, true);
      clock.advance(Duration.ofSeconds(5));
    }
    m.update(null, true);
    assertThat(m.path()).isEqualTo(PathMonitor.Path.DIRECT);
    assertThat(m.transitions()).hasSize(2);
  }

  /** Feeds a health check every 5 s for this long; returns the transitions it caused. */
  static java.util.List<PathMonitor.Transition> feed(
      PathMonitor m, MutableClock clock, String problem, Duration period) {
    java.util.List<PathMonitor.Transition> out = new java.util.ArrayList<>();
    for (long s = 0; s < period.toSeconds(); s += 5) {
      clock.advance(Duration.ofSeconds(5));
      PathMonitor.Transition t = m.update(problem, true);
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  @Test
  void aFailbackThatDoesNotHoldDoublesTheNextWaitUpToTheMax() {
    MutableClock clock = new MutableClock();
    PathMonitor m = new PathMonitor(clock, 2, Duration.ofSeconds(60), Duration.ofMinutes(30));
    String silent = "no direct WireGuard traffic for 80 s";

    // An upstream that drops UDP: the direct path looks healthy while DNS sends clients to the
    // relay, and fails ~85 s after every failback (handshake-max-age 75 s + 2 checks).
    assertThat(feed(m, clock, silent, Duration.ofSeconds(10))).hasSize(1);
    assertThat(m.path()).isEqualTo(PathMonitor.Path.RELAY);
    assertThat(m.requiredHealthy()).isEqualTo(Duration.ofSeconds(60));
    assertThat(feed(m, clock, null, Duration.ofSeconds(65))).hasSize(1);
    assertThat(m.path()).isEqualTo(PathMonitor.Path.DIRECT);
    feed(m, clock, null, Duration.ofSeconds(75));
    PathMonitor.Transition again = feed(m, clock, silent, Duration.ofSeconds(10)).get(0);
    assertThat(again.to()).isEqualTo(PathMonitor.Path.RELAY);
    assertThat(again.reason()).contains("did not hold", "next failback after 120 s");
    assertThat(m.requiredHealthy()).isEqualTo(Duration.ofSeconds(120));
    assertThat(m.failedFailbacks()).isEqualTo(1);

    // 60 s of health is no longer enough; 120 s is.
    assertThat(feed(m, clock, null, Duration.ofSeconds(60))).isEmpty();
    assertThat(feed(m, clock, null, Duration.ofSeconds(65))).hasSize(1);
    assertThat(m.path()).isEqualTo(PathMonitor.Path.DIRECT);

    // The same flapping for an hour: far fewer flips than every 2-3 minutes, and capped.
    int flips = 0;
    for (Instant end = clock.instant().plus(Duration.ofHours(1)); clock.instant().isBefore(end); ) {
      flips += feed(m, clock, null, Duration.ofSeconds(75)).size();
      flips += feed(m, clock, silent, Duration.ofSeconds(10)).size();
      flips += feed(m, clock, null, m.requiredHealthy().plusSeconds(5)).size();
    }
    assertThat(m.requiredHealthy()).isEqualTo(Duration.ofMinutes(30));
    assertThat(flips).as("an hour at 2-3 min per cycle would be ~50 flips").isLessThan(14);

    // Direct holds for failback-max: the next failure starts over at 60 s.
    if (m.path() != PathMonitor.Path.DIRECT) {
      feed(m, clock, null, m.requiredHealthy().plusSeconds(5));
    }
    assertThat(m.path()).isEqualTo(PathMonitor.Path.DIRECT);
    feed(m, clock, null, Duration.ofMinutes(31));
    PathMonitor.Transition fresh =
        feed(m, clock, "UPnP mapping lost", Duration.ofSeconds(10)).get(0);
    assertThat(fresh.reason()).isEqualTo("UPnP mapping lost");
    assertThat(m.requiredHealthy()).isEqualTo(Duration.ofSeconds(60));
    assertThat(m.failedFailbacks()).isZero();
  }

  @Test
  void withoutAMaxTheFailbackWaitNeverGrows() {
    MutableClock clock = new MutableClock();
    PathMonitor m = new PathMonitor(clock, 1, Duration.ofSeconds(60));
    for (int i = 0; i < 3; i++) {
      feed(m, clock, "down", Duration.ofSeconds(5));
      feed(m, clock, null, Duration.ofSeconds(65));
      assertThat(m.path()).isEqualTo(PathMonitor.Path.DIRECT);
    }
    assertThat(m.requiredHealthy()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void withoutRelayThePathIsNone() {
    MutableClock clock = new MutableClock();
    PathMonitor m = new PathMonitor(clock, 1, Duration.ofSeconds(10));
    assertThat(m.update("UPnP mapping unavailable", false).to()).isEqualTo(PathMonitor.Path.NONE);
    assertThat(m.update("UPnP mapping unavailable", true).to()).isEqualTo(PathMonitor.Path.RELAY);
    assertThat(m.reason()).contains("UPnP");
  }
}
