package dev.spoq.localstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One control-plane service running from its built jar, with its log in the state directory. */
final class ServiceProcess implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final int httpPort;
  private final Path logFile;
  private final Process process;

  private ServiceProcess(String name, int httpPort, Path logFile, Process process) {
    this.name = name;
    this.httpPort = httpPort;
    this.logFile = logFile;
    this.process = process;
  }

  static ServiceProcess start(String name, Path jar, int httpPort, String springJson, Path logDir)
      throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          name
              + " is not built ("
              + jar
              + " missing); run scripts/run-control-plane.sh, which builds first");
    }
    Files.createDirectories(logDir);
    Path log = logDir.resolve(name + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags(name));
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("SERVER_PORT", Integer.toString(httpPort));
    env.put("SPRING_APPLICATION_JSON", springJson);
    return new ServiceProcess(name, httpPort, log, builder.start());
  }

  /**
   * Small, quick-starting JVMs; the jump-router keeps the C2 compiler, whose AES-GCM intrinsics
   * carry its SSH throughput (jump-router/README.md "Benchmarks").
   */
  static List<String> jvmFlags(String service) {
    if ("jump-router".equals(service)) {
      return List.of("-Xmx256m", "-XX:+UseSerialGC");
    }
    return List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  }

  /** Polls the actuator health endpoint until it says UP. */
  void awaitHealthy(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    URI health = URI.create("http://127.0.0.1:" + httpPort + "/actuator/health");
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with code " + process.exitValue() + " during start-up; see " + logFile);
      }
      try {
        HttpResponse<String> response =
            HTTP.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200 && response.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(
        name + " was not healthy within " + timeout.toSeconds() + " s; see " + logFile);
  }

  String name() {
    return name;
  }

  int httpPort() {
    return httpPort;
  }

  Path logFile() {
    return logFile;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
