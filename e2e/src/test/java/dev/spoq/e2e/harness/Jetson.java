package dev.spoq.e2e.harness;

import dev.spoq.e2e.RepoPaths;
import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The Jetson: the REAL agent ({@code jetson-agent} exec jar, the {@code spoq} CLI) in the Jetson
 * namespace behind the home router. It makes its own keys, enrolls, brings up wireguard-go, maps
 * the UPnP port, publishes DNS, reports status; the harness only gives it the shipped config file
 * (deploy/agent/agent.toml) and environment overrides for this simulated internet.
 */
public final class Jetson implements AutoCloseable {

  public static final int STATUS_PORT = 8090;

  private final NetworkNamespace ns;
  private final Path dir;
  private final Path config;
  private final Path jar;
  private final String wgInterface;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<String> jvmOptions;
  private ManagedProcess agent;
  private int runs;

  /**
   * @param settings agent settings for this simulated internet ({@code registry.url},
   *     intervals...); given as the agent's {@code SPOQ_AGENT_<KEY>} environment overrides on top
   *     of the config file the product ships, {@code deploy/agent/agent.toml}
   */
  public Jetson(NetworkNamespace ns, Path workDir, Map<String, String> settings) {
    this(ns, workDir, settings, List.of());
  }

  /**
   * @param jvmOptions extra JVM options of every {@code spoq} run (e.g. the trust store of the test
   *     CA that signed the API host's certificate)
   */
  public Jetson(
      NetworkNamespace ns, Path workDir, Map<String, String> settings, List<String> jvmOptions) {
    this.ns = ns;
    this.jvmOptions = List.copyOf(jvmOptions);
    this.dir = workDir.resolve("jetson");
    this.wgInterface = "wgj" + NetworkNamespace.randomSuffix(4);
    this.jar = Jars.snapshot("jetson-agent", workDir);
    useSettings(settings);
    this.config = dir.resolve("agent.toml");
    try {
      Files.createDirectories(dir.resolve("state"));
      Files.createDirectories(dir.resolve("wireguard"));
      Files.copy(
          RepoPaths.root().resolve("deploy/agent/agent.toml"),
          config,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Replaces the environment overrides (on top of the shipped agent.toml) for the next {@code spoq}
   * run; what is not given falls back to the shipped defaults. The Jetson's own paths and interface
   * stay.
   */
  public Jetson useSettings(Map<String, String> settings) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("state-dir", dir.resolve("state").toString());
    all.put("wireguard.interface", wgInterface);
    all.put("wireguard.config-dir", dir.resolve("wireguard").toString());
    all.put("wireguard.implementation", "wireguard-go");
    all.putAll(settings);
    env.clear();
    all.forEach(
        (key, value) ->
            env.put("SPOQ_AGENT_" + key.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_"), value));
    env.put("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");
    return this;
  }

  private List<String> spoq(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(Java.bin(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-c", config.toString()));
    return cmd;
  }

  /** {@code spoq <args>} once, inside the Jetson namespace. */
  public ExecResult cli(String... args) {
    List<String> cmd = new ArrayList<>(List.of("env"));
    env.forEach((k, v) -> cmd.add(k + "=" + v));
    cmd.addAll(spoq(args));
    return ns.tryExec(cmd);
  }

  public ExecResult enroll(String code) {
    ExecResult r = cli("enroll", code, "--hostname", "alice-jetson");
    if (!r.ok()) {
      throw new IllegalStateException("spoq enroll failed:\n" + r.output());
    }
    return r;
  }

  /** {@code spoq run}: the daemon the systemd unit starts. */
  public Jetson start() {
    runs++;
    Path log = dir.resolve(runs == 1 ? "agent.log" : "agent-" + runs + ".log");
    agent = ns.start("spoq-agent", spoq("run"), log, daemonEnv());
    Wait.until(
        "agent status API",
        Duration.ofSeconds(60),
        () -> {
          if (!agent.isAlive()) {
            throw new Wait.Abort("spoq run exited:\n" + ServiceProcess.tail(agent.output()));
          }
          return Ports.listening(ns, "-ltnH", STATUS_PORT);
        });
    return this;
  }

  private Map<String, String> daemonEnv() {
    Map<String, String> daemon = new LinkedHashMap<>(env);
    daemon.put("SPOQ_LOG_LEVEL", "info");
    return daemon;
  }

  public void stop() {
    if (agent != null) {
      agent.close();
      agent = null;
    }
  }

  /** The agent's {@code GET /api/device/status}, asked locally on the Jetson. */
  public JsonNode status() {
    return Http.get(ns, "http://127.0.0.1:" + STATUS_PORT + "/api/device/status", null)
        .expect(200)
        .json();
  }

  public String wgInterface() {
    return wgInterface;
  }

  /** The Jetson's WireGuard public key, as {@code wg} reports it. */
  public String wgPublicKey() {
    return ns.exec("wg", "show", wgInterface, "public-key").output().trim();
  }

  public String log() {
    return agent == null ? "" : ServiceProcess.tail(agent.output());
  }

  /** Status reports the agent has queued on disk for the registry (state/outbox). */
  public int queuedReports() {
    Path outbox = stateDir().resolve("outbox");
    if (!Files.isDirectory(outbox)) {
      return 0;
    }
    try (var files = Files.list(outbox)) {
      return (int) files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path stateDir() {
    return dir.resolve("state");
  }

  @Override
  public void close() {
    stop();
    try {
      Files.deleteIfExists(Path.of("/var/run/wireguard", wgInterface + ".sock"));
    } catch (IOException ignored) {
      // best effort
    }
  }
}
