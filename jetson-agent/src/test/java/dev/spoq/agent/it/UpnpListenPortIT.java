package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.registry.Peer;
import dev.spoq.agent.util.CommandRunner;
import dev.spoq.agent.wireguard.WireGuardManager;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import dev.spoq.testsupport.process.ManagedProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * WireGuard on another listen port than {@code wireguard.listen-port}, as after UPnP error 724 (the
 * gateway maps an external port only to the same internal port; the 724 exchange itself is in
 * UpnpSoapFixtureTest, since miniupnpd maps any pair), with real wireguard-go and real miniupnpd:
 *
 * <ul>
 *   <li>the agent's WireGuardManager moves a live wireguard-go interface to another port ({@code wg
 *       set listen-port}); a client reaches it there, a peer sync keeps that port, and a port held
 *       by another process is refused without disturbing the interface;
 *   <li>a restart with the pair that worked ({@code upnp-ports.json}) starts WireGuard on that port
 *       and maps the same pair through miniupnpd; a WAN client reaches the Jetson through it;
 *   <li>the first public-IP observation predates the gateway (miniupnpd comes up later): the
 *       mapping becoming active triggers an observation at once, not at the next {@code
 *       publicip.interval} (1 h here).
 * </ul>
 */
class UpnpListenPortIT {

  @Test
  void wireGuardMovesToAnotherPortAndPeerSyncKeepsIt(@TempDir Path tmp) throws Exception {
    X25519.KeyPair jetsonKeys = X25519.generate();
    X25519.KeyPair phone = X25519.generate();
    try (NetworkNamespace jetson = NetworkNamespace.create("ag-lpj");
        NetworkNamespace client = NetworkNamespace.create("ag-lpc")) {
      Veth.connect(jetson, "10.77.0.1/24", client, "10.77.0.2/24");
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(tmp, "http://127.0.0.1:9", iface);
      settings.put("wireguard.netns", jetson.name());
      AgentConfig config = AgentSettings.config(settings);
      WireGuardManager wg =
          new WireGuardManager(config, jetsonKeys, new CommandRunner(jetson.name()));
      Peer phonePeer = new Peer("phone", phone.publicKey().base64(), List.of("10.100.0.10/32"));
      wg.up(List.of(phonePeer));
      try {
        assertThat(listenPort(jetson, iface)).isEqualTo(51820);

        assertThat(wg.moveListenPort(51823)).isTrue();
        assertThat(listenPort(jetson, iface)).isEqualTo(51823);
        assertThat(wg.listenPort()).isEqualTo(51823);
        assertThat(Files.readString(config.wgConfigFile())).contains("ListenPort = 51823");

        WireGuardClient phoneClient =
            WireGuardClient.start(
                client,
                clientConfig(jetsonKeys),
                phone.privateKey().base64(),
                "10.77.0.1:51823",
                1,
                tmp.resolve("phone"));
        Wait.until(
            "client pings the Jetson on its new port",
            Duration.ofSeconds(15),
            () -> phoneClient.ping("10.100.0.1"));

        // A peer change (wg syncconf with the stripped config) keeps the moved port.
        X25519.KeyPair laptop = X25519.generate();
        wg.sync(
            List.of(
                phonePeer,
                new Peer("laptop", laptop.publicKey().base64(), List.of("10.100.0.11/32"))));
        assertThat(listenPort(jetson, iface)).isEqualTo(51823);
        assertThat(phoneClient.ping("10.100.0.1")).isTrue();

        // A port another process holds is refused; the interface stays where it was.
        try (ManagedProcess holder =
            jetson.start(
                "udp-holder",
                List.of(
                    "python3",
                    "-c",
                    "import socket,time\n"
                        + "s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM)\n"
                        + "s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_V6ONLY,0)\n"
                        + "s.bind(('::',51824))\nprint('bound',flush=True)\ntime.sleep(120)"),
                tmp.resolve("holder.log"))) {
          Wait.until(
              "UDP 51824 held", Duration.ofSeconds(10), () -> holder.output().contains("bound"));
          assertThat(wg.moveListenPort(51824)).isFalse();
          assertThat(listenPort(jetson, iface)).isEqualTo(51823);
          assertThat(wg.listenPort()).isEqualTo(51823);
          assertThat(phoneClient.ping("10.100.0.1")).isTrue();
        }
      } finally {
        wg.down();
      }
    }
  }

  @Test
  void restartUsesThePairThatWorkedAndAnActiveMappingTriggersAPublicIpCheck(@TempDir Path tmp)
      throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "lp" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-port");
    var jetson = WireGuardIT.readState(state);
    X25519.KeyPair phone = X25519.generate();
    RunningRegistry.Device device =
        registry.addDevice(jetson.jetsonId(), 1, "phone", phone.publicKey().base64());
    // What a previous run saved after the gateway answered 724 for 51822 -> 51820.
    Files.writeString(state.resolve("upnp-ports.json"), "{\"external\":51822,\"internal\":51822}");

    try (HomeNetwork home = HomeNetwork.create(tmp.resolve("home"));
        LoopbackBridge bridge =
            LoopbackBridge.open(
                home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"))) {
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
      settings.put("upnp.enabled", "true");
      settings.put("upnp.refresh", "3s");
      settings.put("upnp.discovery-timeout", "2s");
      settings.put("publicip.interval", "1h");
      try (AgentProcess agent = AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"))) {
        Wait.until(
            "first public-IP observation, before any gateway answers",
            Duration.ofSeconds(40),
            () -> agent.log().contains("public IP null"),
            agent::log);
        JsonNode before = agent.status();
        assertThat(before.path("wireguard").path("listen_port").asInt())
            .as("WireGuard started on the saved internal port")
            .isEqualTo(51822);
        assertThat(before.path("public_ip").path("sources").has("upnp")).isFalse();

        home.startMiniupnpd();
        Wait.until(
            "UPnP mapping active",
            Duration.ofSeconds(30),
            () -> active(agent),
            () -> agent.log() + "\n" + home.miniupnpdLog());
        long active = System.nanoTime();
        Wait.until(
            "public IP observed from the gateway right after the mapping appeared",
            Duration.ofSeconds(10),
            () ->
                HomeNetwork.WAN_ROUTER.equals(
                    agent.status().path("public_ip").path("sources").path("upnp").asString()),
            () -> agent.status().path("public_ip").toString() + "\n" + agent.log());
        System.out.printf(
            "PUBLICIP mapping active -> public_ip.sources.upnp %d ms (publicip.interval 1 h)%n",
            (System.nanoTime() - active) / 1_000_000);
        assertThat(agent.status().path("public_ip").path("address").asString())
            .isEqualTo(HomeNetwork.WAN_ROUTER);

        JsonNode upnp = agent.status().path("upnp");
        assertThat(upnp.path("external_port").asInt()).isEqualTo(51822);
        assertThat(upnp.path("internal_port").asInt()).isEqualTo(51822);
        assertThat(home.leases()).contains("UDP:51822:" + HomeNetwork.JETSON + ":51822");

        Wait.until(
            "peer synced",
            Duration.ofSeconds(20),
            () -> agent.status().path("wireguard").path("peers").size() == 1,
            agent::log);
        WireGuardClient client =
            WireGuardClient.start(
                home.wan,
                device.clientConfig(),
                phone.privateKey().base64(),
                HomeNetwork.WAN_ROUTER + ":51822",
                1,
                tmp.resolve("phone"));
        Wait.until(
            "WAN client pings the Jetson through 51822 -> 51822",
            Duration.ofSeconds(20),
            () -> client.ping("10.100.0.1"),
            home::mappings);
      }
    }
  }

  /**
   * The whole 724 path with real components: a gateway that requires equal ports (a SOAP filter
   * giving the REAL miniupnpd that rule, see {@link SamePortGateway}), 51820 owned by another LAN
   * host (718). The agent moves its real wireguard-go to 51821 and maps 51821 -> 51821 in
   * miniupnpd; a WAN client reaches it there; renewals keep the pair without another 724; a restart
   * starts on 51821 and maps it with no 718 or 724.
   */
  @Test
  void error724FromAStrictGatewayMovesWireGuardAndAWanClientReachesIt(@TempDir Path tmp)
      throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "sp" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-724");
    var jetson = WireGuardIT.readState(state);
    X25519.KeyPair phone = X25519.generate();
    RunningRegistry.Device device =
        registry.addDevice(jetson.jetsonId(), 1, "phone", phone.publicKey().base64());

    try (HomeNetwork home = HomeNetwork.create(tmp.resolve("home")).startMiniupnpd();
        LoopbackBridge bridge =
            LoopbackBridge.open(
                home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"))) {
      List<String> claim = new java.util.ArrayList<>(AgentProcess.javaCommand());
      claim.set(claim.size() - 1, UpnpClaim.class.getName());
      claim.add("51820");
      var claimed = home.otherLan.tryExec(claim);
      assertThat(claimed.ok()).as(claimed.output() + home.miniupnpdLog()).isTrue();

      // The Jetson's requests to miniupnpd (192.168.50.1:5000) go through the filter, which
      // reaches miniupnpd on its other LAN address (so it is not redirected again).
      List<String> filter = new java.util.ArrayList<>(AgentProcess.javaCommand());
      filter.set(filter.size() - 1, SamePortGateway.class.getName());
      filter.add("5002");
      filter.add("http://192.168.51.1:5000");
      try (ManagedProcess strict =
          home.lan.start("same-port-gateway", filter, tmp.resolve("filter.log"))) {
        Wait.until(
            "filter listening",
            Duration.ofSeconds(20),
            () -> strict.output().contains("listening"));
        home.lan.exec(
            "iptables",
            "-t",
            "nat",
            "-A",
            "OUTPUT",
            "-p",
            "tcp",
            "-d",
            HomeNetwork.LAN_ROUTER,
            "--dport",
            "5000",
            "-j",
            "REDIRECT",
            "--to-ports",
            "5002");

        String iface = "wg" + NetworkNamespace.randomSuffix(3);
        Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
        settings.put("upnp.enabled", "true");
        settings.put("upnp.refresh", "3s");
        settings.put("upnp.discovery-timeout", "2s");
        try (AgentProcess agent =
            AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"))) {
          Wait.until(
              "UPnP mapping active",
              Duration.ofSeconds(40),
              () -> active(agent),
              () -> agent.log() + "\n" + strict.output() + "\n" + home.miniupnpdLog());
          JsonNode status = agent.status();
          assertThat(status.path("upnp").path("external_port").asInt()).isEqualTo(51821);
          assertThat(status.path("upnp").path("internal_port").asInt()).isEqualTo(51821);
          assertThat(status.path("wireguard").path("listen_port").asInt())
              .as("the real wireguard-go moved")
              .isEqualTo(51821);
          assertThat(strict.output()).contains("724 for 51821 -> 51820");
          assertThat(agent.log()).contains("(718)", "(724)", "WireGuard now listens on UDP 51821");
          assertThat(home.leases()).contains("UDP:51821:" + HomeNetwork.JETSON + ":51821");
          assertThat(state.resolve("upnp-ports.json")).exists();

          Wait.until(
              "peer synced",
              Duration.ofSeconds(20),
              () -> agent.status().path("wireguard").path("peers").size() == 1,
              agent::log);
          WireGuardClient client =
              WireGuardClient.start(
                  home.wan,
                  device.clientConfig(),
                  phone.privateKey().base64(),
                  HomeNetwork.WAN_ROUTER + ":51821",
                  1,
                  tmp.resolve("phone"));
          Wait.until(
              "WAN client pings the Jetson through 51821 -> 51821",
              Duration.ofSeconds(20),
              () -> client.ping("10.100.0.1"),
              home::mappings);

          // Renewals (every 3 s here) re-add the same pair: no further 724.
          long firstExpiry = UpnpStunIT.leaseExpiry(home.leases(), 51821);
          Wait.until(
              "lease renewed",
              Duration.ofSeconds(20),
              () -> UpnpStunIT.leaseExpiry(home.leases(), 51821) > firstExpiry,
              home::leases);
          assertThat(strict.output().split("724 for", -1)).hasSize(2);
          assertThat(home.leases()).contains("UDP:51821:" + HomeNetwork.JETSON + ":51821");
        }

        // A restart starts on 51821 and maps the pair that worked at once.
        int filterLines = strict.output().split("\n").length;
        try (AgentProcess again =
            AgentProcess.start(home.lan, settings, tmp.resolve("agent2.log"))) {
          Wait.until(
              "UPnP mapping active after the restart",
              Duration.ofSeconds(40),
              () -> active(again),
              again::log);
          assertThat(again.status().path("wireguard").path("listen_port").asInt()).isEqualTo(51821);
          assertThat(again.status().path("upnp").path("external_port").asInt()).isEqualTo(51821);
          assertThat(again.log()).doesNotContain("(718)", "(724)");
          String sinceRestart =
              String.join(
                  "\n",
                  java.util.Arrays.asList(strict.output().split("\n"))
                      .subList(filterLines, strict.output().split("\n").length));
          assertThat(sinceRestart).doesNotContain("724 for").contains("pass AddPortMapping 51821");
        }
      }
    }
  }

  static boolean active(AgentProcess agent) {
    JsonNode s = agent.status();
    return s != null && "active".equals(s.path("upnp").path("status").asString());
  }

  static int listenPort(NetworkNamespace ns, String iface) {
    return Integer.parseInt(ns.exec("wg", "show", iface, "listen-port").output().trim());
  }

  static String clientConfig(X25519.KeyPair jetson) {
    return """
        [Interface]
        PrivateKey = placeholder
        Address = 10.100.0.10/32

        [Peer]
        PublicKey = %s
        AllowedIPs = 10.100.0.0/24
        Endpoint = jetson.example:51820
        """
        .formatted(jetson.publicKey().base64());
  }
}
