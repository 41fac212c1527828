package dev.spoq.agent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The typed view of {@link Settings} the components use. */
public record AgentConfig(
    Path stateDir,
    URI registryUrl,
    URI dnsUrl,
    URI relayUrl,
    Duration httpTimeout,
    String wgInterface,
    String wgImplementation,
    Path wgConfigDir,
    String wgAddress,
    int wgListenPort,
    Path privateKeyFile,
    String wireguardGoBinary,
    String wgNetns,
    Duration peerPollInterval,
    Duration peerWait,
    int statusPort,
    boolean statusBindWireguard,
    Duration reportInterval,
    int reportQueueMax,
    boolean upnpEnabled,
    Duration upnpLease,
    Duration upnpRefresh,
    Duration upnpDiscoveryTimeout,
    Duration upnpCheckInterval,
    Duration upnpRepairBackoffMax,
    int upnpExternalPort,
    List<Integer> upnpAlternativePorts,
    String upnpDescription,
    Duration publicIpInterval,
    Duration publicIpEchoInterval,
    List<String> stunServers,
    List<String> echoUrls,
    Duration publicIpTimeout,
    String dnsResolver,
    Duration dnsRetryInitial,
    Duration dnsRetryMax,
    boolean relayEnabled,
    String frpcBinary,
    int frpcAdminPort,
    Duration relayAssignmentInterval,
    Duration relayRestartInitial,
    Duration relayRestartMax,
    Duration relayLatencyInterval,
    Duration healthInterval,
    Duration handshakeMaxAge,
    int failThreshold,
    Duration failbackAfter,
    Duration failbackMax,
    boolean requireDnsMatch,
    boolean systemdWatchdog) {

  public static AgentConfig from(Settings s) {
    Path stateDir = Path.of(s.string("state-dir"));
    String key = s.string("wireguard.private-key");
    String impl = s.string("wireguard.implementation");
    if (!List.of("auto", "kernel", "wireguard-go").contains(impl)) {
      throw new ConfigException(
          "wireguard.implementation must be auto, kernel or wireguard-go; got '" + impl + "'");
    }
    String iface = s.string("wireguard.interface");
    if (!iface.matches("[A-Za-z0-9_=+.-]{1,15}")) {
      throw new ConfigException("wireguard.interface is not a valid interface name: " + iface);
    }
    Duration repairBackoffMax = s.duration("upnp.repair-backoff-max");
    if (repairBackoffMax.compareTo(s.duration("upnp.refresh")) > 0) {
      repairBackoffMax = s.duration("upnp.refresh");
    }
    return new AgentConfig(
        stateDir,
        uri(s, "registry.url"),
        uri(s, "dns.url"),
        uri(s, "relay.url"),
        s.duration("http.timeout"),
        iface,
        impl,
        Path.of(s.string("wireguard.config-dir")),
        s.string("wireguard.address"),
        s.integer("wireguard.listen-port"),
        key.isEmpty() ? stateDir.resolve("wireguard/private.key") : Path.of(key),
        s.string("wireguard.go-binary"),
        s.string("wireguard.netns"),
        s.duration("peers.poll-interval"),
        peerWait(s),
        s.integer("status.port"),
        s.bool("status.bind-wireguard"),
        s.duration("report.interval"),
        s.integer("report.queue-max"),
        s.bool("upnp.enabled"),
        s.duration("upnp.lease"),
        s.duration("upnp.refresh"),
        s.duration("upnp.discovery-timeout"),
        s.duration("upnp.check-interval"),
        repairBackoffMax,
        s.integer("upnp.external-port"),
        s.list("upnp.alternative-ports").stream().map(Integer::parseInt).toList(),
        s.string("upnp.description"),
        s.duration("publicip.interval"),
        s.duration("publicip.echo-interval"),
        s.list("publicip.stun-servers"),
        s.list("publicip.echo-urls"),
        s.duration("publicip.timeout"),
        s.string("dns.resolver"),
        s.duration("dns.retry-initial"),
        s.duration("dns.retry-max"),
        s.bool("relay.enabled"),
        s.string("relay.frpc"),
        s.integer("relay.admin-port"),
        s.duration("relay.assignment-interval"),
        s.duration("relay.restart-initial"),
        s.duration("relay.restart-max"),
        s.duration("relay.latency-interval"),
        s.duration("health.interval"),
        s.duration("health.handshake-max-age"),
        s.integer("health.fail-threshold"),
        s.duration("health.failback-after"),
        max(s.duration("health.failback-max"), s.duration("health.failback-after")),
        s.bool("health.require-dns-match"),
        s.bool("systemd.watchdog"));
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration peerWait(Settings s) {
    Duration wait = s.duration("peers.wait");
    if (!wait.isZero() && (wait.toSeconds() < 1 || wait.toSeconds() > 55)) {
      throw new ConfigException("peers.wait must be 0 (no long-poll) or 1s..55s; got " + wait);
    }
    return wait;
  }

  private static URI uri(Settings s, String key) {
    String v = s.string(key);
    try {
      URI u = URI.create(v.endsWith("/") ? v.substring(0, v.length() - 1) : v);
      if (u.getScheme() == null || u.getHost() == null) {
        throw new IllegalArgumentException("no scheme/host");
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw new ConfigException("setting '" + key + "' is not a URL: '" + v + "'");
    }
  }

  public Path tokenFile() {
    return stateDir.resolve("device.token");
  }

  public Path stateFile() {
    return stateDir.resolve("agent-state.json");
  }

  public Path peersCacheFile() {
    return stateDir.resolve("peers.json");
  }

  public Path dnsStateFile() {
    return stateDir.resolve("dns-state.json");
  }

  public Path outboxDir() {
    return stateDir.resolve("outbox");
  }

  public Path runtimeStatusFile() {
    return stateDir.resolve("status.json");
  }

  public Path frpcConfigFile() {
    return stateDir.resolve("frpc/frpc.toml");
  }

  /** The last spoq relay assignment (it holds the relay credential: 0600). */
  public Path spoqRelayStateFile() {
    return stateDir.resolve("relay/spoq.json");
  }

  public Path wgConfigFile() {
    return wgConfigDir.resolve(wgInterface + ".conf");
  }

  /** The Jetson's WireGuard address without prefix length. */
  public String wgHostAddress() {
    return wgAddress.split("/")[0];
  }
}
