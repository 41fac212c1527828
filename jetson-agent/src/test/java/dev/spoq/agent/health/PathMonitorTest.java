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

  @Test
  void withoutRelayThePathIsNone() {
    MutableClock clock = new MutableClock();
    PathMonitor m = new PathMonitor(clock, 1, Duration.ofSeconds(10));
    assertThat(m.update("UPnP mapping unavailable", false).to()).isEqualTo(PathMonitor.Path.NONE);
    assertThat(m.update("UPnP mapping unavailable", true).to()).isEqualTo(PathMonitor.Path.RELAY);
    assertThat(m.reason()).contains("UPnP");
  }
}
