package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Dynamic DNS end to end: the agent learns its public IP from the real router (miniupnpd) and a
 * real STUN server, publishes it through the REAL dns-api; when the router's WAN address changes,
 * exactly one update follows; while nothing changes, none.
 */
class DdnsIT {

  @Test
  void wanAddressChangeLeadsToExactlyOneDnsUpdate(@TempDir Path tmp) throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "dd" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-ddns");
    String fqdn = user + ".spoq.dev";
    try (RunningDnsApi dns = new RunningDnsApi(registry);
        HomeNetwork home = HomeNetwork.create(tmp.resolve("home")).startMiniupnpd().startStun();
        LoopbackBridge r =
            LoopbackBridge.open(
                home.lan, 18081, URI.create(registry.baseUrl()).getPort(), tmp.resolve("br"));
        LoopbackBridge d = LoopbackBridge.open(home.lan, 18082, dns.port(), tmp.resolve("br"))) {
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
      settings.put("dns.url", "http://127.0.0.1:18082");
      settings.put("upnp.enabled", "true");
      settings.put("upnp.discovery-timeout", "2s");
      settings.put("publicip.stun-servers", HomeNetwork.WAN_HOST + ":3478");
      settings.put("publicip.interval", "1s");
      try (AgentProcess agent = AgentProcess.start(home.lan, settings, tmp.resolve("agent.log"))) {
        Wait.until(
            "first publication",
            Duration.ofSeconds(40),
            () -> aRecords(dns, fqdn).contains(HomeNetwork.WAN_ROUTER),
            agent::log);
        assertThat(agent.status().path("dns").path("points_to").asString())
            .isEqualTo(HomeNetwork.WAN_ROUTER);
        Wait.sleep(4000);
        long writesBefore = dns.cloudflare.writeCount();
        int updatesBefore = agent.status().path("dns").path("updates").asInt();
        assertThat(updatesBefore).as("unchanged IP: no further calls").isEqualTo(1);

        Instant changed = Instant.now();
        home.changeWanAddress(HomeNetwork.WAN_ROUTER, "81.0.0.77");
        Wait.until(
            "dns-api follows the new WAN address",
            Duration.ofSeconds(40),
            () -> aRecords(dns, fqdn).contains("81.0.0.77"),
            agent::log);
        Duration took = Duration.between(changed, Instant.now());
        System.out.printf("DDNS wan change -> dns-api/Cloudflare update %d ms%n", took.toMillis());
        Wait.sleep(5000);
        JsonNode s = agent.status();
        assertThat(s.path("dns").path("updates").asInt())
            .as("exactly one update for one change")
            .isEqualTo(updatesBefore + 1);
        assertThat(dns.cloudflare.writeCount()).isEqualTo(writesBefore + 1);
        assertThat(s.path("public_ip").path("sources").path("stun").asString())
            .isEqualTo("81.0.0.77");
        assertThat(s.path("upnp").path("external_ip").asString()).isEqualTo("81.0.0.77");
        assertThat(s.path("dns").path("points_to").asString()).isEqualTo("81.0.0.77");
      }
    }
  }

  static List<String> aRecords(RunningDnsApi dns, String fqdn) {
    return dns.cloudflare.records("A", fqdn).stream()
        .map(r -> r.path("content").asString())
        .toList();
  }
}
