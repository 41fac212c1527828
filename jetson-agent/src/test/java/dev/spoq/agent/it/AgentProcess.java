package dev.spoq.agent.it;

import dev.spoq.agent.cli.SpoqCli;
import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real agent ({@code spoq run}) as its own JVM inside a namespace, so that its UPnP, STUN and
 * DNS traffic happens there. Its status API answers inside the namespace (read with curl).
 */
final class AgentProcess implements AutoCloseable {

  static final int STATUS_PORT = 18090;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  final NetworkNamespace ns;
  final ManagedProcess process;

  private AgentProcess(NetworkNamespace ns, ManagedProcess process) {
    this.ns = ns;
    this.process = process;
  }

  static AgentProcess start(NetworkNamespace ns, Map<String, String> settings, Path log) {
    return start(ns, settings, log, Map.of());
  }

  static AgentProcess start(
      NetworkNamespace ns, Map<String, String> settings, Path log, Map<String, String> env) {
    List<String> command = new ArrayList<>(javaCommand());
    command.add("run");
    command.add("-c");
    command.add(log.resolveSibling("absent.toml").toString());
    Map<String, String> s = new java.util.LinkedHashMap<>(settings);
    s.put("status.port", String.valueOf(STATUS_PORT));
    s.put("status.bind-wireguard", "true");
    command.addAll(AgentSettings.asArgs(s));
    return new AgentProcess(ns, ns.start("agent", command, log, env));
  }

  /** java + the test classpath + the CLI main class, logging with the agent's own slf4j-simple. */
  static List<String> javaCommand() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC",
        "-Xmx64m",
        "-XX:TieredStopAtLevel=1",
        "-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
        "-cp",
        System.getProperty("java.class.path"),
        SpoqCli.class.getName());
  }

  /** The status document, or null while the agent is not answering. */
  JsonNode status() {
    ExecResult r =
        ns.tryExec(
            "curl",
            "-s",
            "--max-time",
            "5",
            "http://127.0.0.1:" + STATUS_PORT + "/api/device/status");
    if (!r.ok() || r.output().isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(r.output());
    } catch (RuntimeException e) {
      return null;
    }
  }

  String log() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
  }
}
