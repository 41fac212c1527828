package dev.spoq.jump.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.jump.testing.RunningRouter;
import dev.spoq.testsupport.postgres.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: two jump-router replicas on ONE database prune the shared bans and failure buckets once
 * per period, not once per replica (ShedLock row {@code jump-router-prune-limits}, kept for most of
 * the period). Both schedule the pruning every second; the runs of both are counted.
 */
class PruneOnceAcrossReplicasTest {

  private static final int SECONDS = 10;

  @TempDir Path dir;

  @Test
  void banPruningRunsOncePerPeriodWithTwoReplicas() throws Exception {
    TestPostgres.Database db = TestPostgres.newDatabase("jump_router");
    List<RunningRouter> replicas = new ArrayList<>();
    // the registry is never needed here: a bound, non-listening port refuses every call
    try (Socket unreachable = new Socket()) {
      unreachable.bind(new InetSocketAddress("127.0.0.1", 0));
      Map<String, String> props = new LinkedHashMap<>(RunningRouter.database(db));
      props.put("spoq.jump.limits.prune-interval", "1s");
      props.put("spoq.jump.limits.prune-lock-at-least-for", "PT0.9S");
      for (int i = 0; i < 2; i++) {
        replicas.add(
            RunningRouter.start(
                "http://127.0.0.1:" + unreachable.getLocalPort(),
                "test-token",
                dir.resolve("replica-" + i),
                props));
      }
      Thread.sleep(2000);
      double before = runs(replicas);
      Thread.sleep(SECONDS * 1000L);
      double runs = runs(replicas) - before;
      System.out.printf(
          "two replicas, %d s, 1 s period: %.0f prune runs (one replica per period would be %d;"
              + " every replica %d)%n",
          SECONDS, runs, SECONDS, 2 * SECONDS);
      // Without the kept lock both replicas prune every period: about 2 x SECONDS.
      assertThat(runs).isBetween(SECONDS - 3.0, SECONDS + 2.0);
    } finally {
      replicas.forEach(RunningRouter::close);
    }
  }

  private static double runs(List<RunningRouter> replicas) {
    double total = 0;
    for (RunningRouter r : replicas) {
      total += r.bean(MeterRegistry.class).counter("spoq.jump.limits.prune.runs").count();
    }
    return total;
  }
}
