package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The relay client against the REAL relay-coordinator: the agent fetches its assignment, writes the
 * coordinator's frpc config (0600), runs frpc (a stand-in that serves frpc's admin API), shows the
 * relay as connected, and reports its latency to the region's relay (a TCP listener on the WAN
 * side: coturn's TCP port stands in for frps's bind port).
 */
class RelayIT {

  @Test
  void fetchesAssignmentRunsFrpcAndReportsLatency(@TempDir Path tmp) throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "rl" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-relay");
    var jetson = WireGuardIT.readState(state);
    Path frpc = FakeFrpc.script(tmp.resolve("bin"));
    try (HomeNetwork home = HomeNetwork.create(tmp.resolve("home")).startStun();
        RunningRelayCoordinator relay =
            new RunningRelayCoordinator(registry, HomeNetwork.WAN_HOST, 3478);
        LoopbackBridge r =
            LoopbackBridge.open(
                home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"));
        LoopbackBridge c = LoopbackBridge.open(home.lan, 18083, relay.port(), tmp.resolve("br"))) {
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
      settings.put("relay.url", "http://127.0.0.1:18083");
      settings.put("relay.enabled", "true");
      settings.put("relay.frpc", frpc.toString());
      settings.put("relay.latency-interval", "2s");
      try (AgentProcess agent = AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"))) {
        Wait.until(
            "relay connected",
            Duration.ofSeconds(40),
            () -> {
              JsonNode s = agent.status();
              return s != null && s.path("relay").path("connected").asBoolean();
            },
            agent::log);
        JsonNode r1 = agent.status().path("relay");
        assertThat(r1.path("server").asString()).isEqualTo(HomeNetwork.WAN_HOST + ":3478");
        assertThat(r1.path("region").asString()).isEqualTo("eu");
        assertThat(r1.path("remote_port").asInt()).isBetween(40000, 40099);
        assertThat(r1.path("proxy_status").asString()).isEqualTo("running");
        Path conf = state.resolve("frpc/frpc.toml");
        assertThat(Files.readString(conf))
            .contains(
                "spoq-" + jetson.jetsonId(),
                "spoq_rly_",
                "remotePort = " + r1.path("remote_port").asInt());
        assertThat(
                java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(conf)))
            .isEqualTo("rw-------");
        Wait.until(
            "latency reported to the coordinator",
            Duration.ofSeconds(30),
            () -> agent.log().contains("reported relay latency {eu="),
            agent::log);
      }
    }
  }
}
