package dev.spoq.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {

  @Test
  void acceptsEachCounterOnceAndReorderingWithinTheWindow() {
    ReplayWindow w = new ReplayWindow();
    assertThat(w.accept(0)).isTrue();
    assertThat(w.accept(0)).isFalse();
    assertThat(w.accept(5)).isTrue();
    assertThat(w.accept(3)).isTrue();
    assertThat(w.accept(3)).isFalse();
    assertThat(w.accept(5)).isFalse();
    assertThat(w.accept(-1)).isFalse();
  }

  @Test
  void refusesCountersOlderThanTheWindowAndForgetsNothingInside() {
    ReplayWindow w = new ReplayWindow();
    for (long c = 0; c < 10_000; c += 2) {
      assertThat(w.accept(c)).isTrue();
    }
    assertThat(w.accept(9_998)).isFalse();
    assertThat(w.accept(9_999 - 2 * ReplayWindow.WINDOW)).isFalse();
    assertThat(w.accept(9_997)).isTrue();
    assertThat(w.accept(9_998 - ReplayWindow.WINDOW + 1)).isTrue();
    long far = 1_000_000;
    assertThat(w.accept(far)).isTrue();
    assertThat(w.accept(far - 1)).isTrue();
    assertThat(w.accept(9_999)).isFalse();
    assertThat(w.accept(far)).isFalse();
  }
}
