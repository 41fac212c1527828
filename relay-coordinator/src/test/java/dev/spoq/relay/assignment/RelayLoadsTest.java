package dev.spoq.relay.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RelayLoadsTest {

  private final AtomicInteger reads = new AtomicInteger();
  private final Map<String, Integer> table = new HashMap<>(Map.of("eu-1", 3));
  private final AtomicLong now = new AtomicLong(1_000);
  private final RelayLoads loads =
      new RelayLoads(
          () -> {
            reads.incrementAndGet();
            return table;
          },
          now::get);

  @Test
  void countsAreReadOncePerSecondNotPerRequest() {
    for (int i = 0; i < 100; i++) {
      assertThat(loads.counts()).containsEntry("eu-1", 3);
    }
    assertThat(reads).hasValue(1);

    table.put("eu-1", 4); // another replica placed a Jetson
    now.addAndGet(RelayLoads.MAX_AGE.toNanos() - 1);
    assertThat(loads.counts()).containsEntry("eu-1", 3);
    now.addAndGet(1);
    assertThat(loads.counts()).containsEntry("eu-1", 4);
    assertThat(reads).hasValue(2);
  }

  @Test
  void aLocalAssignmentChangeIsCountedByTheNextRanking() {
    assertThat(loads.counts()).containsEntry("eu-1", 3);
    table.put("eu-1", 4);
    loads.changed();
    assertThat(loads.counts()).containsEntry("eu-1", 4);
    assertThat(reads).hasValue(2);
  }

  @Test
  void theSnapshotIsACopy() {
    Map<String, Integer> seen = loads.counts();
    table.put("eu-1", 9);
    assertThat(seen).containsEntry("eu-1", 3);
  }
}
