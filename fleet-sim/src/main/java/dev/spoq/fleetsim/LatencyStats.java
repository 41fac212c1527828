package dev.spoq.fleetsim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies of one request kind in 0.1 ms buckets up to 60 s (exact enough for p50/p99 against a
 * 100 ms limit), plus the count of errors and a few of their descriptions.
 */
final class LatencyStats {

  private static final int BUCKETS = 600_000;
  private static final long BUCKET_NANOS = 100_000;

  private final String kind;
  private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS);
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong maxNanos = new AtomicLong();
  private final List<String> errorSamples = new ArrayList<>();

  LatencyStats(String kind) {
    this.kind = kind;
  }

  String kind() {
    return kind;
  }

  void record(long nanos) {
    int bucket = (int) Math.min(BUCKETS - 1, Math.max(0, nanos / BUCKET_NANOS));
    buckets.incrementAndGet(bucket);
    count.incrementAndGet();
    maxNanos.accumulateAndGet(nanos, Math::max);
  }

  void error(String description) {
    errors.incrementAndGet();
    synchronized (errorSamples) {
      if (errorSamples.size() < 5) {
        errorSamples.add(description);
      }
    }
  }

  long count() {
    return count.get();
  }

  long errors() {
    return errors.get();
  }

  List<String> errorSamples() {
    synchronized (errorSamples) {
      return List.copyOf(errorSamples);
    }
  }

  /** The latency at quantile {@code q} (0..1) in milliseconds, or NaN without samples. */
  double percentileMillis(double q) {
    long total = count.get();
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += buckets.get(i);
      if (seen >= rank) {
        return (i + 1) * (BUCKET_NANOS / 1e6);
      }
    }
    return maxNanos.get() / 1e6;
  }

  double maxMillis() {
    return maxNanos.get() / 1e6;
  }
}
