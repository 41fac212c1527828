package dev.spoq.relayserver.datapath;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets per source IP, bounded: when {@code maxSources} are tracked, new sources share one
 * overflow bucket, so a flood from many addresses cannot grow the table or escape the limit.
 */
final class TokenBuckets {

  private final double perSecond;
  private final double burst;
  private final int maxSources;
  private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
  private final Bucket overflow;

  TokenBuckets(double perSecond, double burst, int maxSources) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.maxSources = maxSources;
    this.overflow = new Bucket(perSecond, burst);
  }

  boolean tryAcquire(InetAddress source, long nowNanos) {
    Bucket bucket = buckets.get(source);
    if (bucket == null) {
      bucket =
          buckets.size() >= maxSources
              ? overflow
              : buckets.computeIfAbsent(source, s -> new Bucket(perSecond, burst));
    }
    return bucket.tryAcquire(nowNanos);
  }

  /** Forgets sources whose bucket is full again (idle for a while). */
  void expire(long nowNanos) {
    buckets.values().removeIf(b -> b.idleSince(nowNanos) > 60_000_000_000L);
  }

  int size() {
    return buckets.size();
  }

  /** A single token bucket; also used alone as a global limit. */
  static final class Bucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    Bucket(double perSecond, double burst) {
      this.perNano = perSecond / 1e9;
      this.burst = burst;
      this.tokens = burst;
      this.lastNanos = System.nanoTime();
    }

    boolean tryAcquire(long nowNanos) {
      return tryAcquire(nowNanos, 1);
    }

    /** Takes {@code cost} tokens; a cost above the burst is allowed once the bucket is full. */
    synchronized boolean tryAcquire(long nowNanos, double cost) {
      tokens =
          Math.min(Math.max(burst, cost), tokens + Math.max(0, nowNanos - lastNanos) * perNano);
      lastNanos = Math.max(lastNanos, nowNanos);
      if (tokens >= cost) {
        tokens -= cost;
        return true;
      }
      return false;
    }

    synchronized long idleSince(long nowNanos) {
      return nowNanos - lastNanos;
    }
  }
}
