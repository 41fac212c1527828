package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.protocol.SessionKeys;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The relay-server path end to end with real components: the agent's relay session ({@code
 * RelayTunnel}) to a REAL relay-server process on the internet side, real wireguard-go on the
 * Jetson and on a phone, the REAL registry and dns-api.
 *
 * <p>The router has no UPnP (miniupnpd not started), so the direct path fails; the agent holds its
 * session to the relay from the last spoq assignment on disk (the coordinator is unreachable in
 * this test, as in {@code FailoverIT}), fails over to it, and points DNS at the relay with path
 * {@code relay}. A phone sending to the relay's 51820 handshakes with the Jetson through it. When
 * UPnP comes back, the agent fails back after the hysteresis and DNS names the home address again.
 * relay-server runs with a static Jetson set file (its self-hosted mode) holding the Jetson's
 * public key and the session key derived from the same credential (contract C1).
 */
class SpoqRelayIT {

  static final String CREDENTIAL = "spoq_rly_" + "k".repeat(43);

  @Test
  void failsOverToTheRelayServerSessionDnsFollowsAndFailsBack(@TempDir Path tmp) throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "sr" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-spoq-relay");
    var jetson = WireGuardIT.readState(state);
    X25519.KeyPair phone = X25519.generate();
    RunningRegistry.Device device =
        registry.addDevice(jetson.jetsonId(), 1, "phone", phone.publicKey().base64());
    String fqdn = user + ".spoq.dev";

    // The last assignment the coordinator gave: a spoq relay on the internet side.
    Files.createDirectories(state.resolve("relay"));
    Files.writeString(
        state.resolve("relay/spoq.json"),
        """
        {"kind":"spoq","credential":"%s",
         "relay":{"id":"test-relay","host":"%s","wgPort":51820,"agentPort":51821}}
        """
            .formatted(CREDENTIAL, HomeNetwork.WAN_HOST));
    Path jetsons = tmp.resolve("jetsons.json");
    Files.writeString(
        jetsons,
        """
        {"version":"1","jetsons":[{"jetsonId":"%s","publicKey":"%s","sessionKey":"%s"}]}
        """
            .formatted(
                jetson.jetsonId(),
                dev.spoq.agent.state.AgentState.require(state.resolve("agent-state.json"))
                    .publicKey(),
                Base64.getEncoder().encodeToString(SessionKeys.derive(CREDENTIAL))));

    try (RunningDnsApi dns = new RunningDnsApi(registry);
        HomeNetwork home = HomeNetwork.create(tmp.resolve("home"));
        ManagedProcess relay = startRelayServer(home.wan, jetsons, tmp.resolve("relay.log"));
        LoopbackBridge r =
            LoopbackBridge.open(
                home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"));
        LoopbackBridge d = LoopbackBridge.open(home.lan, 18082, dns.port(), tmp.resolve("br"))) {
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
      settings.put("dns.url", "http://127.0.0.1:18082");
      settings.put("relay.url", "http://127.0.0.1:1");
      settings.put("relay.enabled", "true");
      settings.put("upnp.enabled", "true");
      settings.put("upnp.discovery-timeout", "1s");
      settings.put("upnp.refresh", "2s");
      settings.put("health.failback-after", "6s");
      settings.put("publicip.interval", "2s");
      try (AgentProcess agent = AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"))) {
        Instant started = Instant.now();
        Wait.until(
            "path relay over an up relay-server session, DNS at the relay",
            Duration.ofSeconds(60),
            () -> {
              JsonNode s = agent.status();
              return s != null
                  && "relay".equals(s.path("path").asString())
                  && "up".equals(s.path("relay").path("session").path("state").asString())
                  && "relay".equals(s.path("dns").path("path").asString())
                  && DdnsIT.aRecords(dns, fqdn).contains(HomeNetwork.WAN_HOST);
            },
            () -> agent.log() + "\n" + relay.output());
        System.out.printf(
            "SPOQRELAY start -> path relay and DNS at the relay %d ms%n",
            Duration.between(started, Instant.now()).toMillis());
        JsonNode s = statusOf(agent);
        assertThat(s.path("relay").path("kind").asString()).isEqualTo("spoq");
        assertThat(s.path("relay").path("connected").asBoolean()).isTrue();
        assertThat(s.path("relay").path("server").asString())
            .isEqualTo(HomeNetwork.WAN_HOST + ":51820");
        assertThat(s.path("relay").path("session").path("up_since").asString()).isNotBlank();
        assertThat(s.path("dns").path("path").asString()).isEqualTo("relay");
        assertThat(s.path("dns").path("points_to").asString()).isEqualTo(HomeNetwork.WAN_HOST);
        assertThat(s.path("upnp").path("status").asString()).isEqualTo("unavailable");
        assertThat(Files.readString(state.resolve("relay/spoq.json"))).contains(CREDENTIAL);

        // A phone that knows only the relay's address reaches the Jetson through relay-server.
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
            () -> agent.log() + "\n" + relay.output());
        Wait.until(
            "the Jetson sees the phone as one relayed client",
            Duration.ofSeconds(15),
            () -> statusOf(agent).path("relay").path("session").path("clients").asInt() == 1,
            agent::log);
        String endpoint =
            statusOf(agent).path("wireguard").path("peers").get(0).path("endpoint").asString();
        assertThat(endpoint).as("relayed flows reach WireGuard from loopback").startsWith("127.");
        String tui =
            String.join(
                "\n", dev.spoq.agent.tui.StatusView.lines(statusOf(agent), Instant.now(), false));
        assertThat(tui).contains("relay-server", "Session: up since");

        // UPnP comes back: fail back after the hysteresis, DNS names the home address again.
        Instant upnpBack = Instant.now();
        home.startMiniupnpd();
        Wait.until(
            "failback to direct, DNS at home",
            Duration.ofSeconds(60),
            () -> {
              JsonNode x = agent.status();
              return x != null
                  && "direct".equals(x.path("path").asString())
                  && "direct".equals(x.path("dns").path("path").asString())
                  && DdnsIT.aRecords(dns, fqdn).contains(HomeNetwork.WAN_ROUTER);
            },
            agent::log);
        Duration back = Duration.between(upnpBack, Instant.now());
        System.out.printf("SPOQRELAY upnp back -> direct and DNS at home %d ms%n", back.toMillis());
        assertThat(back).as("not before failback-after").isGreaterThan(Duration.ofSeconds(5));
        JsonNode after = statusOf(agent);
        assertThat(after.path("dns").path("path").asString()).isEqualTo("direct");
        assertThat(after.path("relay").path("session").path("state").asString())
            .as("the session stays up as the fallback")
            .isEqualTo("up");
        assertThat(agent.log()).contains("DNS " + fqdn + " now points to " + HomeNetwork.WAN_HOST);
      }
    }
  }

  /** The status document, waiting out a moment when the status API does not answer. */
  static JsonNode statusOf(AgentProcess agent) {
    for (int i = 0; i < 10; i++) {
      JsonNode s = agent.status();
      if (s != null) {
        return s;
      }
      Wait.sleep(500);
    }
    throw new AssertionError("status API does not answer\n" + agent.log());
  }

  /** The relay-server exec jar the reactor built (failsafe passes its path). */
  static Path relayServerJar() {
    String jar = System.getProperty("relay.server.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "relay-server exec jar not found at "
              + jar
              + "; build with -am so the reactor packages relay-server first");
    }
    return Path.of(jar);
  }

  /** relay-server from its exec jar, as its own JVM in the given namespace. */
  static ManagedProcess startRelayServer(NetworkNamespace ns, Path jetsons, Path log) {
    return startRelayServer(ns, List.of("--spoq.relay.jetsons-file=" + jetsons), log);
  }

  /** relay-server from its exec jar in the namespace, with its Jetson-set source as arguments. */
  static ManagedProcess startRelayServer(NetworkNamespace ns, List<String> source, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx128m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(relayServerJar().toString());
    command.addAll(source);
    command.add("--spoq.relay.bind-address=" + HomeNetwork.WAN_HOST);
    command.add("--server.port=18085");
    command.add("--server.address=127.0.0.1");
    ManagedProcess p = ns.start("relay-server", command, log);
    Wait.until(
        "relay-server ready (Jetson set in use, agent port bound)",
        Duration.ofSeconds(90),
        () ->
            p.output().contains("in use")
                && ns.tryExec("ss", "-lunH", "sport = :51821").output().contains("51821"),
        p::output);
    return p;
  }
}
