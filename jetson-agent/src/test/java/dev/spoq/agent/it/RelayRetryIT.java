package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay assignment with the SHIPPED {@code relay.assignment-interval} (5 min) and a relay
 * coordinator that is down when the agent starts: the agent retries with capped exponential backoff
 * and jitter, and takes its assignment from the REAL coordinator within seconds of it coming up
 * instead of at the next 5-minute turn.
 */
class RelayRetryIT {

  static final Pattern RETRY = Pattern.compile("retry (\\d+) in (\\d+) ms");

  @Test
  void aCoordinatorThatComesUpLateIsSeenWithinSeconds(@TempDir Path tmp) throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "rr" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-retry");
    Path frpc = FakeFrpc.script(tmp.resolve("bin"));
    try (HomeNetwork home = HomeNetwork.create(tmp.resolve("home"));
        LoopbackBridge r =
            LoopbackBridge.open(
                home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"))) {
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
      settings.put("relay.url", "http://127.0.0.1:18083"); // nothing listens there yet
      settings.put("relay.enabled", "true");
      settings.put("relay.frpc", frpc.toString());
      settings.put("relay.latency-interval", "10m");
      try (AgentProcess agent = AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"))) {
        Wait.until(
            "three failed assignment fetches",
            Duration.ofSeconds(40),
            () -> retries(agent.log()).size() >= 3,
            agent::log);

        try (RunningRelayCoordinator coordinator =
                new RunningRelayCoordinator(registry, HomeNetwork.WAN_HOST, 3478);
            LoopbackBridge c =
                LoopbackBridge.open(home.lan, 18083, coordinator.port(), tmp.resolve("br"))) {
          long up = System.nanoTime();
          Wait.until(
              "assignment from the coordinator that came up",
              Duration.ofSeconds(60),
              () -> agent.log().contains("relay assignment fetched after"),
              agent::log);
          long tookMs = (System.nanoTime() - up) / 1_000_000;
          System.out.println(
              "RELAYRETRY coordinator reachable -> assignment fetched "
                  + tookMs
                  + " ms (shipped assignment interval 5 min)");
          Wait.until(
              "frpc runs the coordinator's proxy",
              Duration.ofSeconds(30),
              () -> agent.status().path("relay").path("connected").asBoolean(),
              agent::log);
          assertThat(agent.status().path("relay").path("region").asString()).isEqualTo("eu");
          assertThat(tookMs).as("far sooner than the 5-minute interval").isLessThan(60_000);

          List<long[]> retries = retries(agent.log());
          long step = 1000;
          for (long[] retry : retries) {
            assertThat(retry[1])
                .as("retry %d waits between half and all of %d ms", retry[0], step)
                .isBetween(step / 2, step);
            step = Math.min(step * 2, Duration.ofMinutes(5).toMillis());
          }
        }
      }
    }
  }

  static List<long[]> retries(String log) {
    List<long[]> out = new ArrayList<>();
    Matcher m = RETRY.matcher(log);
    while (m.find()) {
      out.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
    }
    return out;
  }
}
