package dev.spoq.dns.provider;

import java.time.Duration;
import java.util.Optional;

/**
 * A provider call failed. The message is safe to log and to store: it never holds a credential.
 * {@link #transientFailure()} tells whether retrying the same call later can succeed without a
 * configuration change (provider down, 5xx, rate limited).
 */
public class ProviderException extends RuntimeException {

  private final boolean transientFailure;
  private final Duration retryAfter;

  public ProviderException(String message, boolean transientFailure, Duration retryAfter) {
    super(message);
    this.transientFailure = transientFailure;
    this.retryAfter = retryAfter;
  }

  public static ProviderException temporary(String message) {
    return new ProviderException(message, true, null);
  }

  public static ProviderException permanent(String message) {
    return new ProviderException(message, false, null);
  }

  public boolean transientFailure() {
    return transientFailure;
  }

  /** What the provider asked us to wait (HTTP {@code retry-after}), if anything. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
