package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * UPnP and STUN against real components: miniupnpd on a NAT router namespace, coturn as STUN server
 * on the WAN. Another LAN host owns external port 51820 first (error 718), so the agent maps
 * another port; a WireGuard client on the WAN reaches the Jetson through that mapping; refreshes
 * renew the lease; stopping the agent deletes the mapping. Public IP sources (gateway, STUN) agree.
 */
class UpnpStunIT {

  static RunningRegistry registry;

  @BeforeAll
  static void startRegistry() {
    registry = SharedRegistry.get();
  }

  @Test
  void mapsThroughRealMiniupnpdResolvesConflictRefreshesAndDeletes(@TempDir Path tmp)
      throws Exception {
    String user = "up" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-upnp");
    var jetson = WireGuardIT.readState(state);
    X25519.KeyPair phone = X25519.generate();
    RunningRegistry.Device device =
        registry.addDevice(jetson.jetsonId(), 1, "phone", phone.publicKey().base64());

    try (HomeNetwork home = HomeNetwork.create(tmp.resolve("home")).startMiniupnpd().startStun()) {
      // Another host on the LAN holds external UDP 51820 already.
      List<String> claim = new ArrayList<>(AgentProcess.javaCommand());
      claim.set(claim.size() - 1, UpnpClaim.class.getName());
      claim.add("51820");
      var claimed = home.otherLan.tryExec(claim);
      assertThat(claimed.ok()).as(claimed.output() + home.miniupnpdLog()).isTrue();

      int registryPort = URI.create(registry.baseUrl()).getPort();
      try (LoopbackBridge bridge = LoopbackBridge.open(home.lan, 18081, registryPort, tmp)) {
        String iface = "wg" + NetworkNamespace.randomSuffix(3);
        Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
        settings.put("upnp.enabled", "true");
        settings.put("upnp.refresh", "3s");
        settings.put("upnp.discovery-timeout", "2s");
        settings.put("upnp.description", "Spoq & <WireGuard>");
        settings.put("publicip.stun-servers", HomeNetwork.WAN_HOST + ":3478");
        settings.put("publicip.interval", "2s");
        AgentProcess agent = AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"));
        try {
          Wait.until(
              "UPnP mapping active",
              Duration.ofSeconds(40),
              () -> {
                JsonNode s = agent.status();
                return s != null && "active".equals(s.path("upnp").path("status").asString());
              },
              () -> agent.log() + "\n" + home.miniupnpdLog());
          JsonNode status = agent.status();
          JsonNode upnp = status.path("upnp");
          assertThat(upnp.path("external_port").asInt())
              .as("51820 belongs to another host (718): another port was chosen")
              .isEqualTo(51821);
          assertThat(upnp.path("external_ip").asString()).isEqualTo(HomeNetwork.WAN_ROUTER);
          assertThat(agent.log()).contains("belongs to another host (718)");
          assertThat(home.mappings()).contains("51821");
          assertThat(home.leases()).contains("UDP:51821:" + HomeNetwork.JETSON + ":51820");
          // Stock clients dial :51820 (their config's endpoint), which is the other host's: the
          // direct path is not usable for them, so the agent must not call it healthy (with a
          // relay, DNS then names the relay).
          Wait.until(
              "direct path judged unusable for stock clients",
              Duration.ofSeconds(30),
              () -> !"direct".equals(agent.status().path("path").asString()),
              () -> agent.status().path("health").toString());
          assertThat(agent.status().path("health").path("reason").asString())
              .contains("UPnP mapped external port 51821, but client configs dial 51820");

          // STUN (coturn) and the gateway agree on the public address. The first observation may
          // predate the mapping (gateway not yet discovered), so wait for one that has both.
          Wait.until(
              "STUN and gateway answers in one observation",
              Duration.ofSeconds(20),
              () -> {
                JsonNode sources = agent.status().path("public_ip").path("sources");
                return sources.has("stun") && sources.has("upnp");
              },
              () -> agent.status().path("public_ip").toString());
          JsonNode ip = agent.status().path("public_ip");
          assertThat(ip.path("sources").path("stun").asString()).isEqualTo(HomeNetwork.WAN_ROUTER);
          assertThat(ip.path("sources").path("upnp").asString()).isEqualTo(HomeNetwork.WAN_ROUTER);
          assertThat(ip.path("agree").asBoolean()).isTrue();
          assertThat(ip.path("address").asString()).isEqualTo(HomeNetwork.WAN_ROUTER);

          // A host on the internet side reaches the Jetson's WireGuard through the mapping.
          Wait.until(
              "peer synced from the registry through the bridge",
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
              "WAN client pings 10.100.0.1 through the UPnP mapping",
              Duration.ofSeconds(20),
              () -> client.ping("10.100.0.1"),
              home::mappings);
          String endpoint =
              agent.status().path("wireguard").path("peers").get(0).path("endpoint").asString();
          assertThat(endpoint).startsWith(HomeNetwork.WAN_HOST + ":");

          // Refreshes renew the lease (same client re-adds; miniupnpd updates the expiry).
          long firstExpiry = leaseExpiry(home.leases(), 51821);
          Wait.until(
              "lease renewed by a refresh",
              Duration.ofSeconds(20),
              () -> leaseExpiry(home.leases(), 51821) > firstExpiry,
              home::leases);
          assertThat(home.miniupnpdLog()).contains("updating existing port mapping");
        } finally {
          agent.close();
        }
        // Shutdown removes the mapping (the other host's stays).
        Wait.until(
            "mapping deleted on shutdown",
            Duration.ofSeconds(10),
            () -> !home.leases().contains(":51821:") && !home.mappings().contains("51821"),
            () -> home.leases() + "\n" + agent.log());
        assertThat(home.leases()).contains("UDP:51820:" + HomeNetwork.OTHER_HOST);
        assertThat(agent.log()).contains("UPnP mapping on external port 51821 deleted");
      }
    }
  }

  static long leaseExpiry(String leases, int port) {
    Matcher m = Pattern.compile("UDP:" + port + ":[^:]+:\\d+:(\\d+):").matcher(leases);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
