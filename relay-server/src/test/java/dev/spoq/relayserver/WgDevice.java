package dev.spoq.relayserver;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** A real WireGuard interface: wireguard-go with a unique name, configured with wg. */
final class WgDevice implements AutoCloseable {

  private final NetworkNamespace ns;
  private final String iface;
  private final Path dir;
  private final String publicKey;
  private ManagedProcess process;

  WgDevice(NetworkNamespace ns, Path workDir, String prefix) {
    this.ns = ns;
    this.iface = prefix + NetworkNamespace.randomSuffix(3);
    this.dir = workDir.resolve("wg-" + iface);
    try {
      Files.createDirectories(dir);
      String key = run(List.of("wg", "genkey"), null).trim();
      Path priv = dir.resolve("private.key");
      Files.writeString(priv, key + "\n");
      Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
      publicKey = run(List.of("wg", "pubkey"), key).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String run(List<String> command, String input) throws IOException {
    Process p = new ProcessBuilder(command).start();
    if (input != null) {
      p.getOutputStream().write((input + "\n").getBytes());
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    try {
      if (p.waitFor() != 0) {
        throw new IllegalStateException(command + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return out;
  }

  String publicKey() {
    return publicKey;
  }

  byte[] publicKeyBytes() {
    return Base64.getDecoder().decode(publicKey);
  }

  String iface() {
    return iface;
  }

  /** Starts the interface; listenPort 0 lets WireGuard choose. */
  WgDevice up(int listenPort, String addressCidr, String route) {
    Path bin = Binaries.require("wireguard-go", "wireguard-go");
    try {
      // wireguard-go puts its UAPI socket there; it is shared by all namespaces and tests.
      Files.createDirectories(Path.of("/var/run/wireguard"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    process =
        ns.start(
            "wireguard-go",
            List.of(bin.toString(), "-f", iface),
            dir.resolve("wireguard-go.log"),
            Map.of("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1", "LOG_LEVEL", "error"));
    long deadline = System.currentTimeMillis() + 15_000;
    while (!ns.tryExec("wg", "show", iface).ok()) {
      if (!process.isAlive() || System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("wireguard-go did not come up:\n" + process.output());
      }
      sleep(50);
    }
    List<String> set =
        new ArrayList<>(
            List.of("wg", "set", iface, "private-key", dir.resolve("private.key").toString()));
    if (listenPort > 0) {
      set.addAll(List.of("listen-port", String.valueOf(listenPort)));
    }
    ns.exec(set);
    ns.exec("ip", "addr", "add", addressCidr, "dev", iface);
    ns.exec("ip", "link", "set", iface, "up");
    if (route != null) {
      ns.exec("ip", "route", "replace", route, "dev", iface);
    }
    return this;
  }

  /** Adds or changes a peer; endpoint may be null (the Jetson side learns it). */
  WgDevice peer(String peerPublicKey, String endpoint, String allowedIps) {
    List<String> cmd =
        new ArrayList<>(
            List.of("wg", "set", iface, "peer", peerPublicKey, "allowed-ips", allowedIps));
    if (endpoint != null) {
      cmd.addAll(List.of("endpoint", endpoint, "persistent-keepalive", "25"));
    }
    ns.exec(cmd);
    return this;
  }

  void removePeer(String peerPublicKey) {
    ns.exec("wg", "set", iface, "peer", peerPublicKey, "remove");
  }

  /** Epoch seconds of the last handshake with the peer, 0 if none. */
  long latestHandshake(String peerPublicKey) {
    return column("latest-handshakes", peerPublicKey);
  }

  /** The peer's endpoint as this interface sees it. */
  String endpoint(String peerPublicKey) {
    for (String line : ns.exec("wg", "show", iface, "endpoints").output().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2 && parts[0].equals(peerPublicKey)) {
        return parts[1];
      }
    }
    return "(none)";
  }

  /** Bytes received from the peer. */
  long received(String peerPublicKey) {
    for (String line : ns.exec("wg", "show", iface, "transfer").output().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 3 && parts[0].equals(peerPublicKey)) {
        return Long.parseLong(parts[1]);
      }
    }
    return 0;
  }

  private long column(String what, String peerPublicKey) {
    for (String line : ns.exec("wg", "show", iface, what).output().split("\n")) {
      String[] parts = line.trim().split("\\s+");
      if (parts.length == 2 && parts[0].equals(peerPublicKey)) {
        return Long.parseLong(parts[1]);
      }
    }
    return 0;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
    try {
      Files.deleteIfExists(Path.of("/var/run/wireguard", iface + ".sock"));
    } catch (IOException ignored) {
      // best effort
    }
  }
}
