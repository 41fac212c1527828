package dev.spoq.agent.config;

import java.util.Map;
import java.util.TreeMap;

/** Every setting the agent understands, with its default. The README's config reference. */
final class Defaults {

  static final Map<String, String> VALUES = new TreeMap<>();

  static {
    put("state-dir", "/var/lib/spoq");
    put("registry.url", "https://api.spoq.dev");
    put("dns.url", "https://api.spoq.dev");
    put("relay.url", "https://api.spoq.dev");
    put("http.timeout", "10s");

    put("wireguard.interface", "wg0");
    put("wireguard.implementation", "auto");
    put("wireguard.config-dir", "/etc/wireguard");
    put("wireguard.address", "10.100.0.1/24");
    put("wireguard.listen-port", "51820");
    put("wireguard.private-key", "");
    put("wireguard.go-binary", "wireguard-go");
    put("wireguard.netns", "");
    put("peers.poll-interval", "30s");
    put("peers.wait", "55s");

    put("status.port", "8090");
    put("status.bind-wireguard", "true");
    put("report.interval", "60s");
    put("report.queue-max", "200");

    put("upnp.enabled", "true");
    put("upnp.lease", "3600s");
    put("upnp.refresh", "50m");
    put("upnp.discovery-timeout", "3s");
    put("upnp.check-interval", "5s");
    put("upnp.repair-backoff-max", "10s");
    put("upnp.external-port", "51820");
    put("upnp.alternative-ports", "51821,51822,51823,51824,51825,52820,53820,54820,55820");
    put("upnp.description", "Spoq WireGuard");

    put("publicip.interval", "10s");
    put("publicip.echo-interval", "5m");
    put("publicip.stun-servers", "stun.cloudflare.com:3478,stun.l.google.com:19302");
    put("publicip.echo-urls", "https://api.ipify.org,https://ifconfig.me/ip");
    put("publicip.timeout", "3s");
    put("dns.resolver", "");
    put("dns.retry-initial", "2s");
    put("dns.retry-max", "5m");

    put("relay.enabled", "true");
    put("relay.frpc", "frpc");
    put("relay.admin-port", "7400");
    put("relay.assignment-interval", "5m");
    put("relay.restart-initial", "1s");
    put("relay.restart-max", "60s");
    put("relay.latency-interval", "10m");

    put("health.interval", "5s");
    put("health.handshake-max-age", "75s");
    put("health.fail-threshold", "2");
    put("health.failback-after", "60s");
    put("health.failback-max", "30m");
    put("health.require-dns-match", "true");

    put("systemd.watchdog", "true");
  }

  private Defaults() {}

  private static void put(String key, String value) {
    VALUES.put(key, value);
  }
}
