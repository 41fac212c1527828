package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.JetsonStatus;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Failover and failback with real components: a WireGuard client on the WAN talks to the Jetson
 * through the real miniupnpd mapping; dropping UDP 51820 at the router makes the agent report path
 * "relay" to the REAL registry (where the relay-coordinator reads it); restoring it fails back
 * exactly once. frpc is a stand-in executable (frpc is not installable here), started from the last
 * relay assignment on disk because the coordinator is unreachable in this test.
 */
class FailoverIT {

  @Test
  void cutDirectPathFlipsToRelayAndRestoringFailsBackOnce(@TempDir Path tmp) throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "fo" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-failover");
    var jetson = WireGuardIT.readState(state);
    X25519.KeyPair phone = X25519.generate();
    RunningRegistry.Device device =
        registry.addDevice(jetson.jetsonId(), 1, "phone", phone.publicKey().base64());
    // The last relay assignment the coordinator gave (the coordinator is down in this test).
    Files.createDirectories(state.resolve("frpc"));
    Files.writeString(
        state.resolve("frpc/frpc.toml"),
        "serverAddr = \"relay-eu-1.spoq.dev\"\nserverPort = 7000\nwebServer.addr = \"127.0.0.1\"\n"
            + "webServer.port = 7400\n\n[[proxies]]\nname = \"spoq-"
            + jetson.jetsonId()
            + "\"\ntype = \"udp\"\nlocalIP = \"127.0.0.1\"\nlocalPort = 51820\nremotePort = 40017\n");
    Path frpc = FakeFrpc.script(tmp.resolve("bin"));

    try (HomeNetwork home = HomeNetwork.create(tmp.resolve("home")).startMiniupnpd();
        LoopbackBridge bridge =
            LoopbackBridge.open(
                home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"))) {
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
      settings.put("relay.url", "http://127.0.0.1:1");
      settings.put("relay.enabled", "true");
      settings.put("relay.frpc", frpc.toString());
      settings.put("upnp.enabled", "true");
      settings.put("upnp.discovery-timeout", "2s");
      settings.put("health.interval", "1s");
      settings.put("health.handshake-max-age", "4s");
      settings.put("health.fail-threshold", "2");
      settings.put("health.failback-after", "6s");
      settings.put("report.interval", "30s");
      try (AgentProcess agent = AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"))) {
        Wait.until(
            "UPnP mapping and peer",
            Duration.ofSeconds(40),
            () -> {
              JsonNode s = agent.status();
              return s != null
                  && "active".equals(s.path("upnp").path("status").asString())
                  && s.path("wireguard").path("peers").size() == 1;
            },
            agent::log);
        WireGuardClient client =
            WireGuardClient.start(
                home.wan,
                device.clientConfig(),
                phone.privateKey().base64(),
                HomeNetwork.WAN_ROUTER + ":51820",
                1,
                tmp.resolve("phone"));
        Wait.until("direct ping", Duration.ofSeconds(20), () -> client.ping("10.100.0.1"));
        Wait.until(
            "relay (stand-in frpc) connected",
            Duration.ofSeconds(20),
            () -> agent.status().path("relay").path("connected").asBoolean(),
            agent::log);
        Wait.sleep(3000);
        assertThat(agent.status().path("path").asString()).isEqualTo("direct");

        // Cut the direct path at the router.
        Instant cut = Instant.now();
        home.cutUdp(51820);
        Wait.until(
            "registry told: relay",
            Duration.ofSeconds(30),
            () -> mode(registry, jetson.jetsonId()).equals("relay"),
            agent::log);
        Instant reported = Instant.now();
        JsonNode status = agent.status();
        Instant detected =
            Instant.parse(status.path("health").path("transitions").get(0).path("at").asString());
        JetsonStatus stored =
            registry.registryClient("test").jetsonStatus(jetson.jetsonId()).orElseThrow();
        System.out.printf(
            "FAILOVER cut->relay reported %d ms (detection %d ms, detection->registry %d ms)%n",
            Duration.between(cut, reported).toMillis(),
            Duration.between(cut, detected).toMillis(),
            Duration.between(detected, stored.receivedAt()).toMillis());
        assertThat(Duration.between(detected, stored.receivedAt()))
            .as("reported within 15 s of detection")
            .isLessThan(Duration.ofSeconds(15));
        assertThat(status.path("health").path("reason").asString())
            .contains("no direct WireGuard traffic");
        assertThat(client.ping("10.100.0.1")).isFalse();

        // Restore: fail back once the direct path was healthy for 6 s, and stay there.
        Instant restored = Instant.now();
        home.restoreUdp();
        Wait.until(
            "registry told: direct",
            Duration.ofSeconds(40),
            () -> mode(registry, jetson.jetsonId()).equals("direct"),
            agent::log);
        Duration back = Duration.between(restored, Instant.now());
        System.out.printf("FAILBACK restore->direct reported %d ms%n", back.toMillis());
        assertThat(back)
            .as("hysteresis: not before failback-after")
            .isGreaterThan(Duration.ofSeconds(5));
        Wait.sleep(8000);
        JsonNode transitions = agent.status().path("health").path("transitions");
        assertThat(transitions.size())
            .as("exactly one failover and one failback: " + transitions)
            .isEqualTo(2);
        assertThat(transitions.get(0).path("to").asString()).isEqualTo("relay");
        assertThat(transitions.get(1).path("to").asString()).isEqualTo("direct");
        assertThat(client.ping("10.100.0.1")).isTrue();
      }
    }
  }

  static String mode(RunningRegistry registry, java.util.UUID jetsonId) {
    Optional<JetsonStatus> s = registry.registryClient("test").jetsonStatus(jetsonId);
    return s.map(x -> x.report().path("connection").path("mode").asString("")).orElse("");
  }
}
