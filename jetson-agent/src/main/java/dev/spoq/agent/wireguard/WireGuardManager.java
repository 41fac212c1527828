package dev.spoq.agent.wireguard;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.registry.Peer;
import dev.spoq.agent.util.CommandRunner;
import dev.spoq.agent.util.SecureFiles;
import dev.spoq.common.wireguard.X25519;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives wireguard-tools: creates the interface (kernel module or wireguard-go), applies the config
 * with {@code wg setconf} on first start and {@code wg syncconf} afterwards (live sessions
 * survive), and reads {@code wg show <if> dump}.
 */
public class WireGuardManager {

  private static final Logger log = LoggerFactory.getLogger(WireGuardManager.class);
  static final String USERSPACE_ENV = "WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD";

  private final AgentConfig config;
  private final X25519.KeyPair keys;
  private final CommandRunner commands;
  private volatile List<Peer> applied = List.of();
  private volatile String implementation = "unknown";
  private volatile int listenPort;

  public WireGuardManager(AgentConfig config, X25519.KeyPair keys, CommandRunner commands) {
    this(config, keys, commands, config.wgListenPort());
  }

  /** With the listen port to start on (the one a previous run moved to, see UpnpPorts). */
  public WireGuardManager(
      AgentConfig config, X25519.KeyPair keys, CommandRunner commands, int listenPort) {
    this.config = config;
    this.keys = keys;
    this.commands = commands;
    this.listenPort = listenPort;
  }

  public int listenPort() {
    return listenPort;
  }

  /**
   * Moves the interface to another UDP listen port ({@code wg set <if> listen-port <port>}); live
   * peers keep their sessions (WireGuard roams). False when the port cannot be bound: wireguard-go
   * then has closed its socket (listen port 0), so the previous port is set again.
   */
  public synchronized boolean moveListenPort(int port) {
    CommandRunner.Result r = setListenPort(port);
    if (!r.ok()) {
      log.warn("cannot move WireGuard {} to UDP {}: {}", config.wgInterface(), port, r.describe());
      CommandRunner.Result back = setListenPort(listenPort);
      if (!back.ok()) {
        log.warn(
            "cannot put WireGuard {} back on UDP {}: {}",
            config.wgInterface(),
            listenPort,
            back.describe());
      }
      return false;
    }
    listenPort = port;
    writeConfFile(applied);
    return true;
  }

  private CommandRunner.Result setListenPort(int port) {
    return commands.run(
        List.of("wg", "set", config.wgInterface(), "listen-port", String.valueOf(port)));
  }

  public String interfaceName() {
    return config.wgInterface();
  }

  public String publicKey() {
    return keys.publicKey().base64();
  }

  public String implementation() {
    return implementation;
  }

  public boolean interfaceExists() {
    return commands.run(List.of("ip", "link", "show", "dev", config.wgInterface())).ok();
  }

  /** Brings the interface up with these peers (or re-syncs it if it already exists). */
  public synchronized void up(List<Peer> peers) {
    writeConfFile(peers);
    if (interfaceExists()) {
      log.info("WireGuard interface {} exists; syncing its configuration", config.wgInterface());
      sync(peers);
      ensureAddress();
      return;
    }
    create();
    apply("setconf", peers);
    ensureAddress();
    commands.require(
        List.of("ip", "link", "set", "mtu", "1420", "up", "dev", config.wgInterface()));
    log.info(
        "WireGuard {} up ({}), {} listening on UDP {}, {} peer(s)",
        config.wgInterface(),
        implementation,
        config.wgAddress(),
        listenPort,
        peers.size());
  }

  /** Applies a new peer set without disturbing the sessions of unchanged peers. */
  public synchronized void sync(List<Peer> peers) {
    writeConfFile(peers);
    apply("syncconf", peers);
  }

  public List<Peer> appliedPeers() {
    return applied;
  }

  public Optional<WgDump> dump() {
    CommandRunner.Result r = commands.run(List.of("wg", "show", config.wgInterface(), "dump"));
    if (!r.ok()) {
      return Optional.empty();
    }
    try {
      return Optional.of(WgDump.parse(r.stdout()));
    } catch (RuntimeException e) {
      log.warn("cannot parse 'wg show {} dump': {}", config.wgInterface(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Removes the interface (wireguard-go exits when its interface goes away). */
  public synchronized void down() {
    CommandRunner.Result r =
        commands.run(List.of("ip", "link", "del", "dev", config.wgInterface()));
    if (r.ok()) {
      log.info("WireGuard {} removed", config.wgInterface());
    }
  }

  private void create() {
    String impl = config.wgImplementation();
    if (!impl.equals("wireguard-go")) {
      CommandRunner.Result r =
          commands.run(
              List.of("ip", "link", "add", "dev", config.wgInterface(), "type", "wireguard"));
      if (r.ok()) {
        implementation = "kernel";
        return;
      }
      if (impl.equals("kernel")) {
        throw new CommandRunner.CommandFailedException(
            "cannot create kernel WireGuard interface "
                + config.wgInterface()
                + ": "
                + r.describe());
      }
      log.info("no kernel WireGuard ({}); using wireguard-go", r.describe());
    }
    CommandRunner.Result r =
        commands.run(
            List.of(config.wireguardGoBinary(), config.wgInterface()),
            Map.of(USERSPACE_ENV, "1"),
            null);
    if (!r.ok()) {
      throw new CommandRunner.CommandFailedException(
          "wireguard-go " + config.wgInterface() + " failed: " + r.describe());
    }
    implementation = "wireguard-go";
    waitForInterface();
  }

  private void waitForInterface() {
    for (int i = 0; i < 50 && !interfaceExists(); i++) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void ensureAddress() {
    CommandRunner.Result r =
        commands.run(
            List.of(
                "ip", "-4", "address", "replace", config.wgAddress(), "dev", config.wgInterface()));
    if (!r.ok()) {
      throw new CommandRunner.CommandFailedException(
          "cannot set " + config.wgAddress() + " on " + config.wgInterface() + ": " + r.describe());
    }
  }

  private void apply(String verb, List<Peer> peers) {
    Path tmp = null;
    try {
      Path dir = config.stateDir().resolve("run");
      SecureFiles.createPrivateDirectories(dir);
      tmp = Files.createTempFile(dir, "wg-", ".conf");
      Files.setPosixFilePermissions(
          tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      Files.writeString(
          tmp, WireGuardConfig.stripped(keys.privateKey().base64(), listenPort, peers));
      commands.require(List.of("wg", verb, config.wgInterface(), tmp.toString()));
      applied = List.copyOf(peers);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write the stripped WireGuard config", e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the run dir is private anyway
        }
      }
    }
  }

  private void writeConfFile(List<Peer> peers) {
    try {
      SecureFiles.write(
          config.wgConfigFile(),
          WireGuardConfig.render(keys.privateKey().base64(), config.wgAddress(), listenPort, peers),
          true);
    } catch (RuntimeException e) {
      log.warn("cannot write {}: {}", config.wgConfigFile(), e.getMessage());
    }
  }
}
