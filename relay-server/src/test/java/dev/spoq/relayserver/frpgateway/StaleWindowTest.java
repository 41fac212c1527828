package dev.spoq.relayserver.frpgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StaleWindowTest {

  /** A clock the test moves. */
  static final class MovingClock extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
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

  private final MovingClock clock = new MovingClock();
  private final StaleWindow window = new StaleWindow(Duration.ofMinutes(10), 3, clock);

  @Test
  void anAllowedSessionIsAllowedFromMemoryForTheWindowOnly() {
    window.remember("run-a/m", true);
    clock.now = clock.now.plus(Duration.ofMinutes(9));
    assertThat(window.allowsFromMemory("run-a/m")).isTrue();
    clock.now = clock.now.plus(Duration.ofMinutes(1));
    assertThat(window.allowsFromMemory("run-a/m")).isFalse();
  }

  @Test
  void aRejectedSessionStaysRejectedAndAnUnknownOneIsNeverAllowed() {
    window.remember("run-a/m", true);
    window.remember("run-a/m", false);
    assertThat(window.allowsFromMemory("run-a/m")).isFalse();
    assertThat(window.allowsFromMemory("run-b/m")).isFalse();
  }

  @Test
  void outagesOpenOnceAndTheWindowClosesOnce() {
    assertThat(window.coordinatorDown()).isTrue();
    assertThat(window.coordinatorDown()).isFalse();
    assertThat(window.windowJustClosed()).isFalse();
    clock.now = clock.now.plus(Duration.ofMinutes(11));
    assertThat(window.windowJustClosed()).isTrue();
    assertThat(window.windowJustClosed()).isFalse();
    assertThat(window.coordinatorUp()).isEqualTo(Duration.ofMinutes(11));
    assertThat(window.coordinatorUp()).isNull();
  }

  @Test
  void memoryIsBoundedAndPurged() {
    window.remember("a", true);
    window.remember("b", true);
    window.remember("c", true);
    window.remember("d", true);
    assertThat(window.size()).isEqualTo(3);
    assertThat(window.allowsFromMemory("d")).isFalse();
    clock.now = clock.now.plus(Duration.ofMinutes(11));
    window.remember("d", true);
    assertThat(window.size()).isEqualTo(1);
    assertThat(window.allowsFromMemory("d")).isTrue();
  }
}
