package dev.spoq.fleetsim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny run of the simulator (20 Jetsons, seconds instead of minutes, every interval shortened)
 * against the real services and embedded PostgreSQL: every request kind is exercised without an
 * error, peer changes reach the agents through the registry's long-poll, and the figures the report
 * promises are measured. The scale run itself is the bench profile (README.md).
 */
class FleetSimulatorSmokeTest {

  @TempDir Path out;

  @Test
  void aSmallFleetHoldsWithEveryRequestKindAndPushedPeerChanges() throws Exception {
    SimOptions options =
        new SimOptions(
            List.of(20),
            Duration.ofSeconds(30),
            Duration.ofSeconds(15),
            Duration.ofSeconds(5),
            // Functional, not a latency check: the suite shares the machine with other builds.
            Duration.ofSeconds(30),
            "longpoll",
            Duration.ofSeconds(30),
            5,
            Duration.ofSeconds(10),
            Duration.ofSeconds(15),
            Duration.ofSeconds(15),
            90,
            Duration.ofSeconds(60),
            1024,
            4,
            8, // three HTTP clients for 20 Jetsons
            true,
            out,
            SimOptions.findRepoRoot(),
            freePortBlock(5));
    options.validate();

    FleetSimulator.Result result = FleetSimulator.run(options);

    assertThat(result.steps()).hasSize(1);
    FleetSimulator.StepResult step = result.steps().get(0);
    assertThat(step.failure()).as(result.report()).isNull();
    assertThat(step.passed()).isTrue();
    for (LoadDriver.Kind kind :
        List.of(
            LoadDriver.Kind.PEERS_WAIT,
            LoadDriver.Kind.STATUS,
            LoadDriver.Kind.DNS,
            LoadDriver.Kind.RELAY,
            LoadDriver.Kind.CHURN,
            LoadDriver.Kind.PUSH)) {
      assertThat(step.stats().get(kind).count())
          .as("%s in%n%s", kind, result.report())
          .isPositive();
      assertThat(step.stats().get(kind).errors()).as("%s errors", kind).isZero();
    }
    assertThat(step.pgConnectionsMax()).isPositive();
    assertThat(step.rssMaxBytes())
        .containsKeys("device-registry", "dns-api", "relay-coordinator")
        .allSatisfy((name, rss) -> assertThat(rss).as(name).isPositive());
    assertThat(step.cpuSeconds())
        .containsKeys("device-registry", "dns-api", "relay-coordinator", "postgresql", "simulator");
    assertThat(step.cpuSeconds().get("device-registry")).isPositive();
    assertThat(step.cpuSeconds().get("postgresql")).isPositive();
    assertThat(step.loadAverageMax()).isNotNegative();
    assertThat(step.openFilesMax().get("device-registry")).isPositive();
    assertThat(result.report())
        .contains("Largest N held: 20")
        .contains("total requests/s")
        .contains("load average (1 min) during the hold")
        .contains("ms/request")
        .contains("CPU with no Jetson")
        // the image's flags, with the collector docker-compose.yml picks for each service
        .contains("device-registry -XX:+UseZGC -XX:MaxRAMPercentage=75");
    // the profiles start after warm-up and cover the hold
    assertThat(result.notes()).hasSize(3);
    assertThat(result.notes())
        .allSatisfy(note -> assertThat(note).contains("execution samples").contains("top frames"));
  }

  private static int freePortBlock(int size) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int first = 20_000 + ThreadLocalRandom.current().nextInt(20_000);
      boolean free = true;
      for (int p = first; p < first + size && free; p++) {
        try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
          s.setReuseAddress(true);
        } catch (IOException taken) {
          free = false;
        }
      }
      if (free) {
        return first;
      }
    }
    throw new IOException("no block of " + size + " free ports");
  }
}
