package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A client device's WireGuard (the phone): {@code wireguard-go} with a unique interface name,
 * configured with {@code wg} like the WireGuard app would from the config the registry rendered.
 * Its private key is made here and never leaves this object.
 */
public final class WireGuardPeer implements AutoCloseable {

  /** How the registry's config marks the line the device fills with its own private key. */
  static final String PRIVATE_KEY_PLACEHOLDER_PREFIX = "# PrivateKey = ";

  private final NetworkNamespace ns;
  private final String iface;
  private final Path dir;
  private final String publicKey;
  private ManagedProcess wireguardGo;

  public WireGuardPeer(NetworkNamespace ns, Path workDir, String prefix) {
    this.ns = ns;
    this.iface = prefix + NetworkNamespace.randomSuffix(4);
    this.dir = workDir.resolve("wg-" + iface);
    try {
      Files.createDirectories(dir);
      Path priv = dir.resolve("private.key");
      String key = Commands.run(List.of("wg", "genkey")).output().trim();
      Files.writeString(priv, key + "\n");
      Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
      publicKey = pipe(key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pipe(String privateKey) throws IOException {
    Process p = new ProcessBuilder("wg", "pubkey").start();
    p.getOutputStream().write((privateKey + "\n").getBytes());
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    try {
      if (p.waitFor() != 0) {
        throw new IllegalStateException("wg pubkey failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return out;
  }

  public String publicKey() {
    return publicKey;
  }

  /** The private key, only so a test can assert it appears nowhere else. */
  public String privateKeyForAssertion() {
    try {
      return Files.readString(dir.resolve("private.key")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String iface() {
    return iface;
  }

  /**
   * Brings the interface up with {@code address} (e.g. 10.100.0.10/32) and a route to the tunnel.
   */
  public WireGuardPeer up(String address, String tunnelSubnet) {
    Path bin = Binaries.require("wireguard-go", "wireguard-go");
    wireguardGo =
        ns.start(
            "wireguard-go",
            List.of(bin.toString(), "-f", iface),
            dir.resolve("wireguard-go.log"),
            Map.of("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1", "LOG_LEVEL", "error"));
    Wait.until(
        "wireguard-go interface " + iface,
        Duration.ofSeconds(15),
        () -> {
          if (!wireguardGo.isAlive()) {
            throw new Wait.Abort("wireguard-go exited:\n" + wireguardGo.output());
          }
          return ns.tryExec("wg", "show", iface).ok();
        });
    ns.exec("wg", "set", iface, "private-key", dir.resolve("private.key").toString());
    ns.exec("ip", "addr", "add", address, "dev", iface);
    ns.exec("ip", "link", "set", iface, "up");
    ns.exec("ip", "route", "replace", tunnelSubnet, "dev", iface);
    return this;
  }

  /**
   * Installs a tunnel the way a stock WireGuard app imports one: the {@code wg-quick} config text
   * the registry rendered, with its private-key placeholder line replaced by this device's own key
   * (the only thing the user fills in), saved once as {@code <iface>.conf}. Brings the interface up
   * with the config's {@code Address} and a route for its {@code AllowedIPs}; the tunnel is not
   * active until {@link #activate()}.
   */
  public WireGuardPeer install(String registryConfigText) {
    String text =
        registryConfigText.lines().anyMatch(l -> l.startsWith(PRIVATE_KEY_PLACEHOLDER_PREFIX))
            ? registryConfigText.replaceFirst(
                "(?m)^" + java.util.regex.Pattern.quote(PRIVATE_KEY_PLACEHOLDER_PREFIX) + ".*$",
                "PrivateKey = "
                    + java.util.regex.Matcher.quoteReplacement(privateKeyForAssertion()))
            : registryConfigText;
    try {
      Files.writeString(configFile(), text);
      Files.setPosixFilePermissions(configFile(), PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return up(configValue(text, "Address"), configValue(text, "AllowedIPs"));
  }

  /** The installed config file (what the app stores), {@code <iface>.conf}. */
  public Path configFile() {
    return dir.resolve(iface + ".conf");
  }

  /**
   * (Re-)activates the installed tunnel, as a stock app does when the user switches it on: the
   * unchanged config is set again ({@code wg setconf} of {@code wg-quick strip <file>}), which
   * drops the old session and resolves the endpoint name again with the namespace's resolver.
   */
  public void activate() {
    activate(configFile());
  }

  /** Activates another config file in {@code wg-quick} format on this interface. */
  public void activate(Path wgQuickConfig) {
    ns.exec(
        "bash",
        "-c",
        "wg setconf \"$1\" <(wg-quick strip \"$2\")",
        "activate",
        iface,
        wgQuickConfig.toString());
  }

  private static String configValue(String text, String key) {
    return text.lines()
        .map(String::trim)
        .filter(l -> l.matches("(?i)" + key + "\\s*=.*"))
        .map(l -> l.substring(l.indexOf('=') + 1).trim())
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no " + key + " in the config:\n" + text));
  }

  /**
   * Sets the one peer (the Jetson). {@code endpoint} may be a name: {@code wg} resolves it with the
   * namespace's resolver, as the app does when it (re)connects.
   */
  public WireGuardPeer peer(String peerPublicKey, String endpoint, String allowedIps) {
    ns.exec(
        "wg",
        "set",
        iface,
        "peer",
        peerPublicKey,
        "endpoint",
        endpoint,
        "allowed-ips",
        allowedIps,
        "persistent-keepalive",
        "25");
    return this;
  }

  public void removePeer(String peerPublicKey) {
    ns.exec("wg", "set", iface, "peer", peerPublicKey, "remove");
  }

  /** Epoch seconds of the last handshake with the peer, 0 if none. */
  public long latestHandshake(String peerPublicKey) {
    String out = ns.exec("wg", "show", iface, "latest-handshakes").output();
    for (String line : out.split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2 && parts[0].equals(peerPublicKey)) {
        return Long.parseLong(parts[1]);
      }
    }
    return 0;
  }

  /** The endpoint the peer currently has (ip:port), or "(none)". */
  public String endpoint(String peerPublicKey) {
    String out = ns.exec("wg", "show", iface, "endpoints").output();
    for (String line : out.split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2 && parts[0].equals(peerPublicKey)) {
        return parts[1];
      }
    }
    return "(none)";
  }

  /**
   * Sends traffic into the tunnel (a ping to {@code target}) until a handshake newer than {@code
   * after} (epoch s) completes; returns how long it took.
   */
  public Duration awaitHandshake(
      String peerPublicKey, String target, long after, Duration timeout) {
    return Wait.until(
        "WireGuard handshake with " + peerPublicKey,
        timeout,
        () -> {
          ns.tryExec("ping", "-c", "1", "-W", "1", target);
          long hs = latestHandshake(peerPublicKey);
          return hs != 0 && hs >= after;
        });
  }

  @Override
  public void close() {
    if (wireguardGo != null) {
      wireguardGo.close();
    }
    try {
      Files.deleteIfExists(Path.of("/var/run/wireguard", iface + ".sock"));
    } catch (IOException ignored) {
      // best effort
    }
  }
}
