package dev.spoq.relay.assignment;

import dev.spoq.relay.fleet.RelayRepository;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * How many Jetsons each relay holds, for the common "keep your relay" answer and for the latency
 * probes. Counting is an aggregate over the whole assignment table, too dear for every agent's
 * assignment refresh, so the counts are read at most once per {@link #MAX_AGE} and whenever this
 * replica changed an assignment since. A decision to place or move a Jetson is taken again on exact
 * counts, and a placement re-counts its relay under that relay's row lock, so capacity holds
 * exactly.
 */
@Component
class RelayLoads {

  static final Duration MAX_AGE = Duration.ofSeconds(1);

  private record Snapshot(Map<String, Integer> counts, long readAtNanos, long generation) {}

  private final Supplier<Map<String, Integer>> count;
  private final LongSupplier nanoTime;
  // Bumped after each local assignment change: a snapshot read across one is not reused.
  private final AtomicLong changes = new AtomicLong();
  private volatile Snapshot snapshot;

  @Autowired
  RelayLoads(RelayRepository relays) {
    this(relays::assignedCounts, System::nanoTime);
  }

  RelayLoads(Supplier<Map<String, Integer>> count, LongSupplier nanoTime) {
    this.count = count;
    this.nanoTime = nanoTime;
  }

  /** Jetsons per relay id (relays without any are absent), at most {@link #MAX_AGE} old. */
  Map<String, Integer> counts() {
    long generation = changes.get();
    long now = nanoTime.getAsLong();
    Snapshot s = snapshot;
    if (s != null && s.generation() == generation && now - s.readAtNanos() < MAX_AGE.toNanos()) {
      return s.counts();
    }
    Map<String, Integer> counts = Map.copyOf(count.get());
    snapshot = new Snapshot(counts, now, generation);
    return counts;
  }

  /** This replica committed an assignment change: the next ranking counts again. */
  void changed() {
    changes.incrementAndGet();
  }
}
