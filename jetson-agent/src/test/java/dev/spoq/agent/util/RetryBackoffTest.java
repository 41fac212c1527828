package dev.spoq.agent.util;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {

  @Test
  void doublesWithJitterUpToTheCapAndStartsOverAfterASuccess() {
    RetryBackoff b = new RetryBackoff(Duration.ofSeconds(1), Duration.ofMinutes(5), new Random(7));
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      waits.add(b.next());
    }
    long step = 1000;
    for (Duration w : waits) {
      assertThat(w.toMillis()).isBetween(step / 2, step);
      step = Math.min(step * 2, 300_000);
    }
    assertThat(waits.get(11).toMillis()).as("capped at the interval").isBetween(150_000L, 300_000L);
    assertThat(waits.stream().distinct()).as("jittered").hasSize(12);
    assertThat(b.failures()).isEqualTo(12);

    b.reset();
    assertThat(b.failures()).isZero();
    assertThat(b.next().toMillis()).isBetween(500L, 1000L);
  }

  @Test
  void anInitialAboveTheCapIsTheCap() {
    RetryBackoff b = new RetryBackoff(Duration.ofSeconds(10), Duration.ofSeconds(2), new Random(1));
    assertThat(b.next().toMillis()).isBetween(1000L, 2000L);
    assertThat(b.next().toMillis()).isBetween(1000L, 2000L);
  }
}
