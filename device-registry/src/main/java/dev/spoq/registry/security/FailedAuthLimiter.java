package dev.spoq.registry.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Failed authentication per source address, fleet-wide: each failure is one atomic upsert into
 * {@code failed_auth_window} (shared by every replica), counting it in the window that began with
 * the source's first failure. After {@code limit} failures in a window, every request from that
 * source needing a credential gets 429 with {@code Retry-After} until the window ends.
 *
 * <p>The check before authentication stays in memory: a replica remembers a source as blocked once
 * a failure it counted reached the limit. A replica that has not seen that yet learns it from the
 * next failure from the source (the upsert answers a count above the limit, and that request gets
 * 429 instead of 401), so the limit holds across replicas; only a valid credential can pass a
 * replica that has not yet learned of the block.
 */
@Component
public class FailedAuthLimiter {

  private static final Logger log = LoggerFactory.getLogger(FailedAuthLimiter.class);
  private static final int MAX_SOURCES = 100_000;

  private final int limit;
  private final long windowMillis;
  private final JdbcClient jdbc;
  private final Map<String, Long> blockedUntil = new ConcurrentHashMap<>();
  private final Counter limited;

  FailedAuthLimiter(
      @Value("${spoq.security.failed-auth.limit:20}") int limit,
      @Value("${spoq.security.failed-auth.window:PT1M}") Duration window,
      JdbcClient jdbc,
      MeterRegistry meters) {
    this.limit = limit;
    this.windowMillis = window.toMillis();
    this.jdbc = jdbc;
    this.limited = meters.counter("spoq.auth.rate_limited");
  }

  /** Seconds the source must wait, or 0 when it may try (memory only). */
  public long retryAfterSeconds(String source) {
    Long until = blockedUntil.get(source);
    if (until == null) {
      return 0;
    }
    long now = System.currentTimeMillis();
    if (until <= now) {
      blockedUntil.remove(source, until);
      return 0;
    }
    limited.increment();
    return secondsUntil(until, now);
  }

  /**
   * Counts a failure from the source across all replicas. Answers the seconds to wait when this
   * failure is beyond the limit (the caller answers 429 instead of 401), otherwise 0.
   */
  public long recordFailure(String source) {
    Failures f;
    try {
      f =
          jdbc.sql(
                  """
                  INSERT INTO failed_auth_window AS w (source_ip, window_end, failures)
                  VALUES (:source, clock_timestamp() + make_interval(secs => :seconds), 1)
                  ON CONFLICT (source_ip) DO UPDATE SET
                    failures = CASE WHEN w.window_end <= clock_timestamp() THEN 1
                                    ELSE w.failures + 1 END,
                    window_end = CASE WHEN w.window_end <= clock_timestamp() THEN EXCLUDED.window_end
                                      ELSE w.window_end END
                  RETURNING failures, window_end
                  """)
              .param("source", source)
              .param("seconds", windowMillis / 1000.0)
              .query((rs, n) -> new Failures(rs.getInt(1), rs.getTimestamp(2).getTime()))
              .single();
    } catch (DataAccessException e) {
      // The credential was refused already; only the count is lost while the database is away.
      log.warn("failed authentication from {} not counted: {}", source, e.getMessage());
      return 0;
    }
    if (f.failures() < limit) {
      return 0;
    }
    if (blockedUntil.size() >= MAX_SOURCES) {
      prune();
    }
    blockedUntil.put(source, f.windowEnd());
    if (f.failures() == limit) {
      return 0;
    }
    limited.increment();
    return secondsUntil(f.windowEnd(), System.currentTimeMillis());
  }

  private record Failures(int failures, long windowEnd) {}

  private static long secondsUntil(long until, long now) {
    return Math.max(1, (until - now + 999) / 1000);
  }

  /** Forgets ended blocks here and ended windows in the table (harmless on every replica). */
  @Scheduled(fixedDelay = 60_000)
  void prune() {
    long now = System.currentTimeMillis();
    blockedUntil.values().removeIf(until -> until <= now);
    try {
      jdbc.sql("DELETE FROM failed_auth_window WHERE window_end < clock_timestamp()").update();
    } catch (DataAccessException e) {
      log.warn("ended failed-authentication windows not pruned: {}", e.getMessage());
    }
  }
}
