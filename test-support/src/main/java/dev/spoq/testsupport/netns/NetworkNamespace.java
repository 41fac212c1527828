package dev.spoq.testsupport.netns;

import dev.spoq.testsupport.process.ManagedProcess;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network namespace created for a test ({@code ip netns add}) with a unique name. Commands and
 * processes run inside it through {@code ip netns exec}. Closing it stops the processes started in
 * it (and anything else still running inside), then deletes it, which also removes its veth ends
 * and its iptables rules. Closing twice is harmless; a JVM shutdown hook closes what a test forgot.
 *
 * <p>Never touches the root namespace's routes or iptables.
 */
public final class NetworkNamespace implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(NetworkNamespace.class);
  private static final SecureRandom random = new SecureRandom();

  private final String name;
  private final List<ManagedProcess> processes = new ArrayList<>();
  private boolean closed;

  private NetworkNamespace(String name) {
    this.name = name;
  }

  /**
   * Creates a namespace named {@code prefix + random suffix}, with its loopback up.
   *
   * @param prefix short, letters/digits/dashes (e.g. "router")
   */
  public static NetworkNamespace create(String prefix) {
    if (!prefix.matches("[A-Za-z0-9-]{1,20}")) {
      throw new IllegalArgumentException(
          "namespace prefix must be 1-20 of [A-Za-z0-9-]: " + prefix);
    }
    String name = prefix + "-" + randomSuffix(4);
    Commands.require(List.of("ip", "netns", "add", name));
    NetworkNamespace ns = new NetworkNamespace(name);
    Cleanup.register(ns, ns::close);
    log.info("created network namespace {}", name);
    ns.exec(List.of("ip", "link", "set", "lo", "up"));
    return ns;
  }

  /** Hex of {@code bytes} random bytes, for unique interface names. */
  public static String randomSuffix(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  public String name() {
    return name;
  }

  /** The argument list that runs {@code command} inside this namespace. */
  public List<String> wrap(List<String> command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(command);
    return full;
  }

  /** Runs a short command inside; fails with its output when it exits non-zero. */
  public ExecResult exec(List<String> command) {
    return Commands.require(wrap(command));
  }

  public ExecResult exec(String... command) {
    return exec(List.of(command));
  }

  /** Runs a short command inside and returns its result whatever the exit code. */
  public ExecResult tryExec(List<String> command) {
    return Commands.run(wrap(command));
  }

  public ExecResult tryExec(String... command) {
    return tryExec(List.of(command));
  }

  /** Starts a long-running process inside; it is stopped when this namespace closes. */
  public ManagedProcess start(String processName, List<String> command, Path logFile) {
    return start(processName, command, logFile, Map.of());
  }

  public synchronized ManagedProcess start(
      String processName, List<String> command, Path logFile, Map<String, String> environment) {
    ManagedProcess process =
        ManagedProcess.start(processName + "@" + name, wrap(command), logFile, environment);
    processes.add(process);
    return process;
  }

  /** {@code ip addr add <cidr> dev <iface>} and sets the interface up. */
  public NetworkNamespace addAddress(String iface, String cidr) {
    exec("ip", "addr", "add", cidr, "dev", iface);
    exec("ip", "link", "set", iface, "up");
    return this;
  }

  public NetworkNamespace delAddress(String iface, String cidr) {
    exec("ip", "addr", "del", cidr, "dev", iface);
    return this;
  }

  /** {@code ip route replace <destination> via <gateway>}; destination may be "default". */
  public NetworkNamespace addRoute(String destination, String gateway) {
    exec("ip", "route", "replace", destination, "via", gateway);
    return this;
  }

  public NetworkNamespace defaultRoute(String gateway) {
    return addRoute("default", gateway);
  }

  /** Lets this namespace route between its interfaces (a router). */
  public NetworkNamespace enableForwarding() {
    exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
    return this;
  }

  /** Source NAT for everything leaving {@code outIf}: iptables MASQUERADE inside this namespace. */
  public NetworkNamespace masquerade(String outIf) {
    return iptables("-t", "nat", "-A", "POSTROUTING", "-o", outIf, "-j", "MASQUERADE");
  }

  /** Runs {@code iptables <args>} inside this namespace (its own tables, not the host's). */
  public NetworkNamespace iptables(String... args) {
    List<String> command = new ArrayList<>(List.of("iptables", "-w"));
    command.addAll(List.of(args));
    exec(command);
    return this;
  }

  /** The IPv4 addresses of an interface inside, without prefix length. */
  public List<String> addresses(String iface) {
    String out = exec("ip", "-o", "-4", "addr", "show", "dev", iface).output();
    List<String> result = new ArrayList<>();
    for (String line : out.split("\n")) {
      String[] parts = line.trim().split("\\s+");
      for (int i = 0; i < parts.length - 1; i++) {
        if (parts[i].equals("inet")) {
          result.add(parts[i + 1].split("/")[0]);
        }
      }
    }
    return result;
  }

  /** True when {@code ping -c 1} from inside reaches the address within the timeout. */
  public boolean ping(String address, int timeoutSeconds) {
    return tryExec("ping", "-c", "1", "-W", String.valueOf(timeoutSeconds), address).ok();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    Cleanup.unregister(this);
    for (int i = processes.size() - 1; i >= 0; i--) {
      try {
        processes.get(i).close();
      } catch (RuntimeException e) {
        log.warn("stopping a process in {} failed: {}", name, e.getMessage());
      }
    }
    killRemaining();
    ExecResult deleted = Commands.run(List.of("ip", "netns", "del", name));
    if (!deleted.ok() && !deleted.output().contains("No such file")) {
      log.warn("ip netns del {} failed: {}", name, deleted.output().trim());
    } else {
      log.info("deleted network namespace {}", name);
    }
  }

  private void killRemaining() {
    ExecResult pids = Commands.run(List.of("ip", "netns", "pids", name));
    if (!pids.ok()) {
      return;
    }
    for (String pid : pids.output().split("\\s+")) {
      if (pid.matches("\\d+")) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroy);
      }
    }
    long deadline = System.currentTimeMillis() + 3000;
    while (System.currentTimeMillis() < deadline) {
      ExecResult left = Commands.run(List.of("ip", "netns", "pids", name));
      if (!left.ok() || left.output().isBlank()) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    ExecResult left = Commands.run(List.of("ip", "netns", "pids", name));
    for (String pid : left.output().split("\\s+")) {
      if (pid.matches("\\d+")) {
        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  @Override
  public String toString() {
    return "netns " + name;
  }
}
