package dev.spoq.agent.it;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A client device: a real wireguard-go interface in a namespace, configured from the client config
 * the registry rendered (PrivateKey filled in locally, Endpoint pointed at a reachable address).
 */
final class WireGuardClient {

  final NetworkNamespace ns;
  final String iface;

  private WireGuardClient(NetworkNamespace ns, String iface) {
    this.ns = ns;
    this.iface = iface;
  }

  /**
   * @param registryConfig the registry's client config text (PrivateKey line is a placeholder)
   * @param endpoint host:port the client should use instead of the FQDN
   */
  static WireGuardClient start(
      NetworkNamespace ns,
      String registryConfig,
      String privateKey,
      String endpoint,
      int keepalive,
      Path dir) {
    String iface = "wc" + NetworkNamespace.randomSuffix(3);
    List<String> stripped = new ArrayList<>();
    String address = null;
    for (String raw : registryConfig.split("\n")) {
      String line = raw.trim();
      if (line.startsWith("# PrivateKey") || line.startsWith("PrivateKey")) {
        stripped.add("PrivateKey = " + privateKey);
      } else if (line.startsWith("Address")) {
        address = line.split("=", 2)[1].trim();
      } else if (line.startsWith("DNS") || line.startsWith("#")) {
        continue;
      } else if (line.startsWith("Endpoint")) {
        stripped.add("Endpoint = " + endpoint);
      } else if (line.startsWith("PersistentKeepalive")) {
        stripped.add("PersistentKeepalive = " + keepalive);
      } else {
        stripped.add(line);
      }
    }
    if (!String.join("\n", stripped).contains("PrivateKey = ")) {
      throw new IllegalStateException("registry config had no PrivateKey line:\n" + registryConfig);
    }
    try {
      Files.createDirectories(dir);
      Path conf = dir.resolve(iface + ".conf");
      Files.writeString(conf, String.join("\n", stripped) + "\n");
      ns.exec(
          List.of("env", "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1", "wireguard-go", iface));
      ns.exec("wg", "setconf", iface, conf.toString());
      ns.exec("ip", "address", "add", address, "dev", iface);
      ns.exec("ip", "link", "set", iface, "up");
      ns.exec("ip", "route", "replace", "10.100.0.0/24", "dev", iface);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new WireGuardClient(ns, iface);
  }

  /** Removes the interface (the next client starts from a fresh source port). */
  void close() {
    ns.tryExec("ip", "link", "del", iface);
  }

  boolean ping(String address) {
    return ns.ping(address, 2);
  }

  /** The latest handshake of the (single) Jetson peer, epoch seconds; 0 = never. */
  long latestHandshake() {
    String out = ns.tryExec("wg", "show", iface, "latest-handshakes").output().trim();
    if (out.isEmpty()) {
      return 0;
    }
    return Long.parseLong(out.split("\\s+")[1]);
  }

  static Veth link(NetworkNamespace a, String addrA, NetworkNamespace b, String addrB) {
    return Veth.connect(a, addrA, b, addrB);
  }
}
