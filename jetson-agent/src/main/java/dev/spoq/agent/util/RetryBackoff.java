package dev.spoq.agent.util;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with jitter: the n-th consecutive failure waits a random time between
 * half of and the full {@code initial × 2^(n-1)}, never more than {@code max}. The jitter keeps a
 * fleet of agents that lost the same service from retrying in lockstep when it comes back.
 */
public final class RetryBackoff {

  private final Duration initial;
  private final Duration max;
  private final RandomGenerator random;
  private Duration current;
  private int failures;

  public RetryBackoff(Duration initial, Duration max, RandomGenerator random) {
    this.initial = initial.compareTo(max) > 0 ? max : initial;
    this.max = max;
    this.random = random;
    this.current = this.initial;
  }

  /** The wait after one more failure in a row. */
  public synchronized Duration next() {
    failures++;
    Duration step = current;
    Duration doubled = current.multipliedBy(2);
    current = doubled.compareTo(max) > 0 ? max : doubled;
    long full = step.toMillis();
    long half = full / 2;
    return Duration.ofMillis(half + random.nextLong(full - half + 1));
  }

  /** Consecutive failures so far. */
  public synchronized int failures() {
    return failures;
  }

  /** After a success: the next failure waits {@code initial} again. */
  public synchronized void reset() {
    failures = 0;
    current = initial;
  }
}
