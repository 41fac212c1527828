package dev.spoq.dns.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets by key: {@code capacity} requests, refilled evenly over {@code window}. In memory
 * per instance; idle buckets are dropped when the table grows.
 */
public final class RateLimiter {

  private static final int MAX_KEYS = 100_000;

  private final int capacity;
  private final double tokensPerNano;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** The outcome: allowed, or how long until a request would be allowed. */
  public record Decision(boolean allowed, Duration retryAfter) {}

  private static final class Bucket {
    double tokens;
    long updatedNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.updatedNanos = now;
    }
  }

  public RateLimiter(int capacity, Duration window, Clock clock) {
    if (capacity < 1 || window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("rate limit needs at least 1 request per positive window");
    }
    this.capacity = capacity;
    this.tokensPerNano = capacity / (double) window.toNanos();
    this.clock = clock;
  }

  public Decision tryAcquire(String key) {
    long now = nanos();
    if (buckets.size() >= MAX_KEYS) {
      evictFull(now);
    }
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
    synchronized (bucket) {
      refill(bucket, now);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return new Decision(true, Duration.ZERO);
      }
      long waitNanos = (long) Math.ceil((1 - bucket.tokens) / tokensPerNano);
      return new Decision(false, Duration.ofNanos(waitNanos));
    }
  }

  private void refill(Bucket bucket, long now) {
    long elapsed = Math.max(0, now - bucket.updatedNanos);
    bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * tokensPerNano);
    bucket.updatedNanos = now;
  }

  private void evictFull(long now) {
    buckets
        .entrySet()
        .removeIf(
            e -> {
              synchronized (e.getValue()) {
                refill(e.getValue(), now);
                return e.getValue().tokens >= capacity;
              }
            });
    if (buckets.size() >= MAX_KEYS) {
      buckets.clear();
    }
  }

  private long nanos() {
    var instant = clock.instant();
    return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
  }
}
