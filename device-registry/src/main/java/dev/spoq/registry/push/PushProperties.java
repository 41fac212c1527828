package dev.spoq.registry.push;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Push (long-poll) settings under {@code spoq.push}.
 *
 * @param maxWaiters long-polls held at once by this replica (peer and revocation together); above
 *     it a long-poll is refused with 503 and {@code Retry-After} (the caller falls back to polling)
 * @param revocationRetention how long revocation events stay in the feed
 * @param listenerRetry pause before the LISTEN connection is opened again after a failure
 */
@ConfigurationProperties("spoq.push")
public record PushProperties(int maxWaiters, Duration revocationRetention, Duration listenerRetry) {

  public PushProperties {
    maxWaiters = maxWaiters <= 0 ? 100_000 : maxWaiters;
    revocationRetention =
        revocationRetention == null || revocationRetention.isNegative()
            ? Duration.ofDays(7)
            : revocationRetention;
    listenerRetry =
        listenerRetry == null || listenerRetry.isZero() ? Duration.ofSeconds(1) : listenerRetry;
  }
}
