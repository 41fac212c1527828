package dev.spoq.dns.ratelimit;

import java.time.Duration;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Token buckets by key, shared by every replica through PostgreSQL ({@code dns.rate_bucket}): one
 * atomic statement refills the bucket by the time elapsed (database clock), takes a token if one is
 * there, and says whether it did. {@code capacity} requests, refilled evenly over {@code window}.
 */
public final class SharedRateLimiter {

  /** The outcome: allowed, or how long until a request would be allowed. */
  public record Decision(boolean allowed, Duration retryAfter) {}

  private static final String REFILLED =
      "LEAST(:capacity, b.tokens + EXTRACT(EPOCH FROM (now() - b.updated_at)) * :rate)";

  private static final String TAKE =
      "INSERT INTO rate_bucket AS b (bucket, tokens, updated_at, last_allowed)"
          + " VALUES (:bucket, :capacity - 1, now(), true)"
          + " ON CONFLICT (bucket) DO UPDATE SET"
          + " tokens = CASE WHEN "
          + REFILLED
          + " >= 1 THEN "
          + REFILLED
          + " - 1 ELSE "
          + REFILLED
          + " END,"
          + " last_allowed = "
          + REFILLED
          + " >= 1,"
          + " updated_at = now()"
          + " RETURNING tokens, last_allowed";

  private final JdbcClient jdbc;
  private final String prefix;
  private final int capacity;
  private final double tokensPerSecond;

  public SharedRateLimiter(JdbcClient jdbc, String prefix, int capacity, Duration window) {
    if (capacity < 1 || window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("rate limit needs at least 1 request per positive window");
    }
    this.jdbc = jdbc;
    this.prefix = prefix;
    this.capacity = capacity;
    this.tokensPerSecond = capacity / (window.toNanos() / 1e9);
  }

  public Decision tryAcquire(String key) {
    return jdbc.sql(TAKE)
        .param("bucket", prefix + ":" + key)
        .param("capacity", (double) capacity)
        .param("rate", tokensPerSecond)
        .query(
            (rs, row) -> {
              if (rs.getBoolean("last_allowed")) {
                return new Decision(true, Duration.ZERO);
              }
              double missing = 1 - rs.getDouble("tokens");
              return new Decision(
                  false, Duration.ofMillis((long) Math.ceil(missing / tokensPerSecond * 1000)));
            })
        .single();
  }

  /** Deletes buckets idle for longer than {@code idle} (they would be full again anyway). */
  public static int pruneIdle(JdbcClient jdbc, Duration idle) {
    return jdbc.sql("DELETE FROM rate_bucket WHERE updated_at < now() - make_interval(secs => :s)")
        .param("s", (double) idle.toSeconds())
        .update();
  }
}
