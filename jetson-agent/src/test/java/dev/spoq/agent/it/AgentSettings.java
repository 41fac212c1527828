package dev.spoq.agent.it;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Agent settings for tests: state in a temp dir, short intervals, nothing that would reach the real
 * internet (no public STUN/echo servers, DNS checks against a closed loopback port).
 */
final class AgentSettings {

  private AgentSettings() {}

  static Map<String, String> base(Path stateDir, String registryUrl, String iface) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("state-dir", stateDir.toString());
    s.put("registry.url", registryUrl);
    s.put("dns.url", registryUrl);
    s.put("relay.url", registryUrl);
    s.put("http.timeout", "3s");
    s.put("wireguard.interface", iface);
    s.put("wireguard.implementation", "wireguard-go");
    s.put("wireguard.config-dir", stateDir.resolve("etc-wireguard").toString());
    s.put("peers.poll-interval", "1s");
    s.put("status.port", "0");
    s.put("status.bind-wireguard", "false");
    s.put("report.interval", "2s");
    s.put("upnp.enabled", "false");
    s.put("relay.enabled", "false");
    s.put("publicip.stun-servers", "");
    s.put("publicip.echo-urls", "");
    s.put("publicip.interval", "1h");
    s.put("dns.resolver", "127.0.0.1:9");
    s.put("health.interval", "1s");
    s.put("health.require-dns-match", "false");
    s.put("systemd.watchdog", "false");
    return s;
  }

  static AgentConfig config(Map<String, String> settings) {
    return AgentConfig.from(Settings.of(settings));
  }

  /** The same settings as {@code --set k=v} CLI arguments. */
  static java.util.List<String> asArgs(Map<String, String> settings) {
    java.util.List<String> args = new java.util.ArrayList<>();
    settings.forEach(
        (k, v) -> {
          args.add("--set");
          args.add(k + "=" + v);
        });
    return args;
  }
}
