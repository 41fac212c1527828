package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The home router misbehaves while the agent runs with its SHIPPED intervals (only addresses and
 * ports are test settings): real miniupnpd, coturn, the real registry and the real dns-api.
 *
 * <ol>
 *   <li>Router reboot (miniupnpd stopped, its chains and lease file flushed, started again): the
 *       status says the mapping was lost while it was, the mapping is back within 15 s of the
 *       router coming up, and a new WAN-side WireGuard peer handshakes through it.
 *   <li>miniupnpd restarted on a new HTTP port (http_port=0): the gateway is rediscovered and the
 *       mapping holds again within 15 s, in a few log lines.
 *   <li>The WAN address changes: the status and the record in dns-api follow within 30 s.
 * </ol>
 */
class UpnpRepairIT {

  static final String NEW_WAN = "81.0.0.77";
  static final String OUR_LEASE = "UDP:51820:" + HomeNetwork.JETSON + ":51820";

  @Test
  void rebootNewControlPortAndNewWanAddressAreRepairedInSeconds(@TempDir Path tmp)
      throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "ur" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-repair");
    var jetson = WireGuardIT.readState(state);
    X25519.KeyPair phone = X25519.generate();
    RunningRegistry.Device device =
        registry.addDevice(jetson.jetsonId(), 1, "phone", phone.publicKey().base64());
    String fqdn = user + ".spoq.dev";

    try (RunningDnsApi dns = new RunningDnsApi(registry);
        HomeNetwork home = HomeNetwork.create(tmp.resolve("home")).startMiniupnpd().startStun();
        LoopbackBridge r =
            LoopbackBridge.open(
                home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"));
        LoopbackBridge d = LoopbackBridge.open(home.lan, 18082, dns.port(), tmp.resolve("br"))) {
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
      // Shipped intervals: drop every interval the test base shortens.
      settings
          .keySet()
          .removeAll(
              List.of(
                  "peers.poll-interval",
                  "report.interval",
                  "publicip.interval",
                  "health.interval"));
      settings.put("dns.url", "http://127.0.0.1:18082");
      settings.put("upnp.enabled", "true");
      settings.put("publicip.stun-servers", HomeNetwork.WAN_HOST + ":3478");
      try (AgentProcess agent = AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"))) {
        Wait.until(
            "mapping active and first DNS publication",
            Duration.ofSeconds(60),
            () -> {
              JsonNode s = agent.status();
              return s != null
                  && "active".equals(s.path("upnp").path("status").asString())
                  && DdnsIT.aRecords(dns, fqdn).contains(HomeNetwork.WAN_ROUTER);
            },
            agent::log);
        WireGuardClient first = phoneOnWan(home, device, phone, tmp.resolve("phone1"));
        Wait.until("direct ping", Duration.ofSeconds(20), () -> first.ping("10.100.0.1"));

        // 1. Router reboot: miniupnpd down, its rules and leases gone, then up again.
        home.stopMiniupnpd();
        home.flushMiniupnpdState();
        first.close();
        Wait.until(
            "status says lost",
            Duration.ofSeconds(15),
            () -> List.of("lost", "repairing").contains(upnpStatus(agent)),
            agent::log);
        JsonNode lost = agent.status().path("upnp");
        assertThat(lost.path("lost_at").asString()).isNotBlank();
        assertThat(lost.path("error").asString()).contains("unreachable");
        Wait.sleep(4000);
        assertThat(upnpStatus(agent)).as("still down: not active").isIn("lost", "repairing");
        Instant routerUp = Instant.now();
        home.startMiniupnpd(5000);
        Wait.until(
            "mapping back after the reboot",
            Duration.ofSeconds(15),
            () -> home.leases().contains(OUR_LEASE) && "active".equals(upnpStatus(agent)),
            () -> agent.log() + "\n" + home.miniupnpdLog());
        Duration repaired = Duration.between(routerUp, Instant.now());
        System.out.printf("UPNP reboot: router up -> mapping active %d ms%n", repaired.toMillis());
        assertThat(agent.status().path("upnp").path("lost_at").isNull()).isTrue();
        assertThat(agent.log()).contains("UPnP mapping lost:", "UPnP mapping restored after");
        WireGuardClient second = phoneOnWan(home, device, phone, tmp.resolve("phone2"));
        Wait.until(
            "a new WAN peer handshakes through the restored mapping",
            Duration.ofSeconds(20),
            () -> second.ping("10.100.0.1") && second.latestHandshake() > 0,
            home::mappings);

        // 2. miniupnpd restarted on a new HTTP port: the old control URL is dead.
        String oldControl = agent.status().path("upnp").path("control_url").asString();
        int linesBefore = upnpLines(agent.log());
        home.stopMiniupnpd();
        Instant restarted = Instant.now();
        home.startMiniupnpd(0);
        int newPort = home.miniupnpdHttpPort();
        assertThat(newPort).isNotEqualTo(5000);
        Wait.until(
            "gateway rediscovered on port " + newPort,
            Duration.ofSeconds(15),
            () -> {
              JsonNode u = agent.status().path("upnp");
              return "active".equals(u.path("status").asString())
                  && u.path("control_url").asString().contains(":" + newPort + "/")
                  && home.leases().contains(OUR_LEASE);
            },
            () -> agent.log() + "\n" + home.miniupnpdLog());
        Duration rediscovered = Duration.between(restarted, Instant.now());
        Wait.sleep(6000);
        String eventLog =
            String.join("\n", agent.log().lines().filter(l -> l.contains("UPnP")).toList());
        int lines = upnpLines(agent.log()) - linesBefore;
        System.out.printf(
            "UPNP new control port: restart -> rediscovered and active %d ms, %d UPnP log line(s)%n",
            rediscovered.toMillis(), lines);
        assertThat(agent.log()).contains("UPnP gateway rediscovered: control URL " + oldControl);
        assertThat(lines).as("no log flood: " + eventLog).isBetween(1, 5);
        assertThat("active").isEqualTo(upnpStatus(agent));

        // 3. The ISP hands out a new address.
        Instant changed = Instant.now();
        home.changeWanAddress(HomeNetwork.WAN_ROUTER, NEW_WAN);
        Wait.until(
            "dns-api record follows the new WAN address",
            Duration.ofSeconds(30),
            () -> DdnsIT.aRecords(dns, fqdn).contains(NEW_WAN),
            agent::log);
        Duration took = Duration.between(changed, Instant.now());
        System.out.printf("PUBLICIP wan change -> dns-api record %d ms%n", took.toMillis());
        JsonNode s = agent.status();
        assertThat(s.path("public_ip").path("address").asString()).isEqualTo(NEW_WAN);
        assertThat(s.path("dns").path("points_to").asString()).isEqualTo(NEW_WAN);
        assertThat(s.path("upnp").path("external_ip").asString()).isEqualTo(NEW_WAN);
      }
    }
  }

  static WireGuardClient phoneOnWan(
      HomeNetwork home, RunningRegistry.Device device, X25519.KeyPair phone, Path dir) {
    return WireGuardClient.start(
        home.wan,
        device.clientConfig(),
        phone.privateKey().base64(),
        HomeNetwork.WAN_ROUTER + ":51820",
        1,
        dir);
  }

  static String upnpStatus(AgentProcess agent) {
    JsonNode s = agent.status();
    return s == null ? "" : s.path("upnp").path("status").asString();
  }

  static int upnpLines(String log) {
    return (int) log.lines().filter(l -> l.contains("UPnP")).count();
  }
}
