package dev.spoq.registry.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Failed authentication per source address, in fixed windows: after {@code limit} failures in a
 * window, every request from that source needing a credential gets 429 with {@code Retry-After}
 * until the window ends. Per replica (the limit is per replica and source).
 */
@Component
public class FailedAuthLimiter {

  private static final int MAX_SOURCES = 100_000;

  private record Window(long end, AtomicInteger failures) {}

  private final int limit;
  private final long windowMillis;
  private final Map<String, Window> sources = new ConcurrentHashMap<>();
  private final Counter limited;

  FailedAuthLimiter(
      @Value("${spoq.security.failed-auth.limit:20}") int limit,
      @Value("${spoq.security.failed-auth.window:PT1M}") Duration window,
      MeterRegistry meters) {
    this.limit = limit;
    this.windowMillis = window.toMillis();
    this.limited = meters.counter("spoq.auth.rate_limited");
  }

  /** Seconds the source must wait, or 0 when it may try. */
  public long retryAfterSeconds(String source) {
    Window w = sources.get(source);
    long now = System.currentTimeMillis();
    if (w == null || w.end() <= now || w.failures().get() < limit) {
      return 0;
    }
    limited.increment();
    return Math.max(1, (w.end() - now + 999) / 1000);
  }

  public void recordFailure(String source) {
    long now = System.currentTimeMillis();
    if (sources.size() >= MAX_SOURCES) {
      prune();
    }
    sources
        .compute(
            source,
            (s, w) ->
                w == null || w.end() <= now
                    ? new Window(now + windowMillis, new AtomicInteger())
                    : w)
        .failures()
        .incrementAndGet();
  }

  @Scheduled(fixedDelay = 60_000)
  void prune() {
    long now = System.currentTimeMillis();
    sources.values().removeIf(w -> w.end() <= now);
  }
}
