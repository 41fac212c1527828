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

  /**
   * Kind {@code spoq} end to end with the REAL coordinator: a spoq relay registered through its
   * admin API, a REAL relay-server process fetching its Jetson set from the coordinator and
   * reporting to it, the agent taking its assignment from the coordinator and holding the session;
   * a phone on the internet side reaches the Jetson's wireguard-go through relay-server. frpc is
   * never started for a spoq relay.
   */
  @Test
  void spoqAssignmentFromTheCoordinatorHoldsARelayServerSession(@TempDir Path tmp)
      throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "rs" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-spoq");
    var jetson = WireGuardIT.readState(state);
    dev.spoq.common.wireguard.X25519.KeyPair phone = dev.spoq.common.wireguard.X25519.generate();
    RunningRegistry.Device device =
        registry.addDevice(jetson.jetsonId(), 1, "phone", phone.publicKey().base64());
    Path frpc = FakeFrpc.script(tmp.resolve("bin"));
    Path frpcLog = tmp.resolve("frpc-starts.log");
    try (HomeNetwork home = HomeNetwork.create(tmp.resolve("home"));
        dev.spoq.relay.testing.RunningCoordinator coordinator =
            dev.spoq.relay.testing.RunningCoordinator.start(registry)) {
      var spoq =
          coordinator.registerSpoqRelay("eu-s1", "eu", HomeNetwork.WAN_HOST, 51820, 51821, 50);
      try (LoopbackBridge relayToCoordinator =
              LoopbackBridge.open(home.wan, 18083, coordinator.port(), tmp.resolve("br"));
          var relayServer =
              SpoqRelayIT.startRelayServer(
                  home.wan,
                  java.util.List.of(
                      "--spoq.relay.coordinator.url=http://127.0.0.1:18083",
                      "--spoq.relay.coordinator.relay-id=" + spoq.id(),
                      "--spoq.relay.coordinator.token=" + spoq.token()),
                  tmp.resolve("relay-server.log"));
          LoopbackBridge r =
              LoopbackBridge.open(
                  home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"));
          LoopbackBridge c =
              LoopbackBridge.open(home.lan, 18083, coordinator.port(), tmp.resolve("br"))) {
        String iface = "wg" + NetworkNamespace.randomSuffix(3);
        Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
        settings.put("relay.url", "http://127.0.0.1:18083");
        settings.put("relay.enabled", "true");
        settings.put("relay.frpc", frpc.toString());
        try (AgentProcess agent =
            AgentProcess.start(
                home.lan,
                settings,
                tmp.resolve("agent.log"),
                Map.of("FAKE_FRPC_LOG", frpcLog.toString()))) {
          Wait.until(
              "spoq assignment and relay session up",
              Duration.ofSeconds(60),
              () -> {
                JsonNode s = agent.status();
                return s != null
                    && "spoq".equals(s.path("relay").path("kind").asString())
                    && "up".equals(s.path("relay").path("session").path("state").asString());
              },
              () -> agent.log() + "\n" + relayServer.output());
          JsonNode relay = SpoqRelayIT.statusOf(agent).path("relay");
          assertThat(relay.path("connected").asBoolean()).isTrue();
          assertThat(relay.path("relay_id").asString()).isEqualTo("eu-s1");
          assertThat(relay.path("server").asString()).isEqualTo(HomeNetwork.WAN_HOST + ":51820");
          assertThat(Files.exists(frpcLog)).as("no frpc for a spoq relay").isFalse();
          assertThat(Files.readString(state.resolve("relay/spoq.json"))).contains("spoq_rly_");
          WireGuardClient client =
              WireGuardClient.start(
                  home.wan,
                  device.clientConfig(),
                  phone.privateKey().base64(),
                  HomeNetwork.WAN_HOST + ":51820",
                  1,
                  tmp.resolve("phone"));
          Wait.until(
              "phone pings the Jetson through relay-server",
              Duration.ofSeconds(30),
              () -> client.ping("10.100.0.1"),
              () -> agent.log() + "\n" + relayServer.output());
        }
      }
    }
  }
}
