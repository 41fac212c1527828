package dev.spoq.relay.auth;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Limits failed authentication per source address across every replica: after {@code
 * spoq.relay.auth.max-failures-per-window} (10) failures within {@code
 * spoq.relay.auth.failure-window} (60 s, starting at the source's first failure), further requests
 * from that address get 429 with {@code Retry-After} until the window ends, without any registry
 * call. Each failure is one atomic upsert into {@code auth_failure_window} (shared through
 * PostgreSQL); the check before authentication is in memory. A replica remembers a source as
 * blocked once a failure it counted reached the limit; one that has not seen that yet learns it
 * from the source's next failure (its count is above the limit, and that request gets 429).
 */
@Component
public class AuthFailureLimiter {

  private static final Logger log = LoggerFactory.getLogger(AuthFailureLimiter.class);
  private static final int MAX_SOURCES = 100_000;

  private final int maxFailures;
  private final Duration window;
  private final Clock clock;
  private final JdbcClient jdbc;
  private final Map<String, Instant> blockedUntil = new ConcurrentHashMap<>();

  AuthFailureLimiter(
      @Value("${spoq.relay.auth.max-failures-per-window:10}") int maxFailures,
      @Value("${spoq.relay.auth.failure-window:60s}") Duration window,
      Clock clock,
      JdbcClient jdbc) {
    this.maxFailures = Math.max(1, maxFailures);
    this.window = window;
    this.clock = clock;
    this.jdbc = jdbc;
  }

  /** Whether the source used up its failures in the current window. */
  public boolean blocked(String source) {
    try {
      check(source);
      return false;
    } catch (ApiProblemException e) {
      return true;
    }
  }

  /** Throws 429 when the source used up its failures in the current window (memory only). */
  public void check(String source) {
    String key = key(source);
    Instant end = blockedUntil.get(key);
    if (end == null) {
      return;
    }
    Instant now = clock.instant();
    if (!now.isBefore(end)) {
      blockedUntil.remove(key, end);
      return;
    }
    long retry = Math.max(1, Duration.between(now, end).toSeconds() + 1);
    throw new ApiProblemException(
            HttpStatus.TOO_MANY_REQUESTS,
            ProblemTypes.of("too-many-auth-failures"),
            "Too many failed authentications",
            "Too many failed authentications from this address; retry later.")
        .withHeader("Retry-After", Long.toString(retry));
  }

  /**
   * Counts a failure of the source across all replicas; answers true when it is beyond the limit
   * (counted through other replicas too), so the caller may answer 429 at once via {@link #check}.
   */
  public boolean recordFailure(String source) {
    String key = key(source);
    Failures f;
    try {
      f =
          jdbc.sql(
                  """
                  INSERT INTO auth_failure_window AS w (source, window_end, failures)
                  VALUES (:source, clock_timestamp() + make_interval(secs => :seconds), 1)
                  ON CONFLICT (source) DO UPDATE SET
                    failures = CASE WHEN w.window_end <= clock_timestamp() THEN 1
                                    ELSE w.failures + 1 END,
                    window_end = CASE WHEN w.window_end <= clock_timestamp() THEN EXCLUDED.window_end
                                      ELSE w.window_end END
                  RETURNING failures, window_end
                  """)
              .param("source", key)
              .param("seconds", window.toMillis() / 1000.0)
              .query((rs, n) -> new Failures(rs.getInt(1), rs.getTimestamp(2).toInstant()))
              .single();
    } catch (DataAccessException e) {
      // The credential was refused already; only the count is lost while the database is away.
      log.warn("failed authentication from {} not counted: {}", key, e.getMessage());
      return false;
    }
    if (f.failures() < maxFailures) {
      return false;
    }
    if (blockedUntil.size() >= MAX_SOURCES) {
      prune();
    }
    blockedUntil.put(key, f.windowEnd());
    return f.failures() > maxFailures;
  }

  private record Failures(int failures, Instant windowEnd) {}

  /** Forgets every count, here and in the shared table. */
  public void clear() {
    blockedUntil.clear();
    jdbc.sql("DELETE FROM auth_failure_window").update();
  }

  /** Forgets ended blocks here and ended windows in the table (harmless on every replica). */
  @Scheduled(fixedDelay = 60_000, initialDelay = 60_000)
  void prune() {
    Instant now = clock.instant();
    blockedUntil.values().removeIf(end -> !end.isAfter(now));
    try {
      jdbc.sql("DELETE FROM auth_failure_window WHERE window_end < clock_timestamp()").update();
    } catch (DataAccessException e) {
      log.warn("ended failed-authentication windows not pruned: {}", e.getMessage());
    }
  }

  private static String key(String source) {
    return source == null ? "unknown" : source;
  }
}
