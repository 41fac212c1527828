package dev.spoq.dns.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Provider-wide pause after the provider said "slow down" (429 with {@code retry-after}) or was
 * unreachable: no call is made before {@link #openAt()}, neither by requests nor by the reconciler,
 * so a rate limit is honoured for the whole API token and a dead provider does not make every
 * request wait for a timeout.
 */
public final class ProviderGate {

  private final Clock clock;
  private final AtomicReference<Instant> closedUntil = new AtomicReference<>(Instant.EPOCH);

  public ProviderGate(Clock clock) {
    this.clock = clock;
  }

  public boolean isOpen() {
    return !closedUntil.get().isAfter(clock.instant());
  }

  /** When calls may resume (in the past when they may now). */
  public Instant openAt() {
    return closedUntil.get();
  }

  /** Pauses calls for at least {@code duration} from now. */
  public void pause(Duration duration) {
    Instant until = clock.instant().plus(duration);
    closedUntil.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
  }

  public void reset() {
    closedUntil.set(Instant.EPOCH);
  }
}
