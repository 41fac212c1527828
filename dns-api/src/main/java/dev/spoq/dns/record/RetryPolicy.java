package dev.spoq.dns.record;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, never shorter than what the provider asked for. */
final class RetryPolicy {

  private final Duration initial;
  private final Duration max;

  RetryPolicy(Duration initial, Duration max) {
    this.initial = initial;
    this.max = max;
  }

  /**
   * Delay before attempt {@code failedAttempts + 1}.
   *
   * @param failedAttempts attempts that failed so far, counting the one that just failed
   */
  Duration delay(int failedAttempts, Optional<Duration> retryAfter) {
    int exponent = Math.max(0, Math.min(failedAttempts - 1, 20));
    long millis = Math.min(max.toMillis(), initial.toMillis() << exponent);
    double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
    Duration backoff = Duration.ofMillis(Math.max(1, (long) (millis * jitter)));
    if (retryAfter.isPresent() && retryAfter.get().compareTo(backoff) > 0) {
      return retryAfter.get();
    }
    return backoff;
  }

  Duration initial() {
    return initial;
  }
}
