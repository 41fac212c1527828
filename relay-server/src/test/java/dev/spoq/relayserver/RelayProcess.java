package dev.spoq.relayserver;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real relay-server (its exec jar) in a test namespace, with the JVM flags of the shipped
 * systemd unit; health and metrics are read with curl inside that namespace.
 */
final class RelayProcess implements AutoCloseable {

  static final int HTTP_PORT = 8085;

  private final NetworkNamespace ns;
  private final ManagedProcess process;

  private RelayProcess(NetworkNamespace ns, ManagedProcess process) {
    this.ns = ns;
    this.process = process;
  }

  static RelayProcess start(NetworkNamespace ns, Path logFile, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-jar");
    command.add(execJar().toString());
    command.addAll(args);
    command.add("--server.address=127.0.0.1");
    command.add("--server.port=" + HTTP_PORT);
    ManagedProcess process =
        ns.start("relay-server", command, logFile, Map.of("JAVA_TOOL_OPTIONS", shippedJvmFlags()));
    RelayProcess relay = new RelayProcess(ns, process);
    relay.awaitReady();
    return relay;
  }

  /** The JAVA_TOOL_OPTIONS line of deploy/systemd/spoq-relay-server.service. */
  static String shippedJvmFlags() {
    Path unit = repoRoot().resolve("deploy/systemd/spoq-relay-server.service");
    try {
      for (String line : Files.readAllLines(unit)) {
        if (line.startsWith("Environment=\"JAVA_TOOL_OPTIONS=")) {
          return line.substring("Environment=\"JAVA_TOOL_OPTIONS=".length(), line.length() - 1);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no JAVA_TOOL_OPTIONS in " + unit);
  }

  static Path repoRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.exists(dir.resolve("deploy/systemd"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("repository root not found");
    }
    return dir;
  }

  static Path execJar() {
    Path target = repoRoot().resolve("relay-server/target");
    try (Stream<Path> files = Files.list(target)) {
      return files
          .filter(p -> p.getFileName().toString().endsWith("-exec.jar"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("run mvn package first: no exec jar"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void awaitReady() {
    long deadline = System.currentTimeMillis() + 90_000;
    while (!ns.tryExec(
            "curl", "-sf", "http://127.0.0.1:" + HTTP_PORT + "/actuator/health/readiness")
        .ok()) {
      if (!process.isAlive() || System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("relay-server not ready:\n" + process.output());
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  long pid() {
    return process.pid();
  }

  String log() {
    return process.output();
  }

  /** Sum of a Prometheus metric's series whose labels contain {@code labelPart} ("" = all). */
  double metric(String name, String labelPart) {
    String text =
        ns.exec("curl", "-sf", "http://127.0.0.1:" + HTTP_PORT + "/actuator/prometheus").output();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      String series = line.substring(0, space);
      boolean nameMatches = series.equals(name) || series.startsWith(name + "{");
      if (nameMatches && series.contains(labelPart)) {
        sum += Double.parseDouble(line.substring(space + 1));
      }
    }
    return sum;
  }

  @Override
  public void close() {
    process.close();
  }
}
