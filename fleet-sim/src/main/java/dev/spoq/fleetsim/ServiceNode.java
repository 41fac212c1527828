package dev.spoq.fleetsim;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One service from its built exec jar, with the JVM flags the image ships (the Dockerfile's
 * JAVA_TOOL_OPTIONS, read from the file so they stay the same) and the image's structured logs.
 */
final class ServiceNode implements AutoCloseable {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String name;
  private final int port;
  private final Process process;
  private final Path log;
  private final Path jfrFile;
  private final boolean zgc;

  private ServiceNode(String name, int port, Process process, Path log, Path jfrFile, boolean zgc) {
    this.name = name;
    this.port = port;
    this.process = process;
    this.log = log;
    this.jfrFile = jfrFile;
    this.zgc = zgc;
  }

  /**
   * The JVM flags the image gives {@code module}: deploy/docker/Dockerfile's {@code
   * JAVA_TOOL_OPTIONS}, its {@code ${JAVA_GC}} build argument as docker-compose.yml sets it for the
   * module (else the Dockerfile's default).
   */
  static String shippedJvmFlags(Path repoRoot, String module) throws IOException {
    String dockerfile = Files.readString(repoRoot.resolve("deploy/docker/Dockerfile"));
    Matcher flags = Pattern.compile("JAVA_TOOL_OPTIONS=\"([^\"]*)\"").matcher(dockerfile);
    if (!flags.find()) {
      throw new IllegalStateException("no JAVA_TOOL_OPTIONS in deploy/docker/Dockerfile");
    }
    Matcher gcDefault = Pattern.compile("(?m)^ARG JAVA_GC=\"?([^\"\n]*)\"?$").matcher(dockerfile);
    String gc = gcDefault.find() ? gcDefault.group(1) : "";
    String compose = Files.readString(repoRoot.resolve("docker-compose.yml"));
    Matcher composeGc =
        Pattern.compile("MODULE: " + Pattern.quote(module) + ",[^}\n]*JAVA_GC: \"([^\"]*)\"")
            .matcher(compose);
    if (composeGc.find()) {
      gc = composeGc.group(1);
    }
    return flags.group(1).replace("${JAVA_GC}", gc).trim().replaceAll("\\s+", " ");
  }

  static ServiceNode start(
      String name, int port, Map<String, String> env, SimOptions options, String springJson)
      throws IOException {
    Path jar =
        options
            .repoRoot()
            .resolve(name)
            .resolve("target")
            .resolve(name + "-0.1.0-SNAPSHOT-exec.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing; build it: ./mvnw -B -q -pl fleet-sim -am package -DskipTests");
    }
    Files.createDirectories(options.outDir());
    // The run's own copy: a build repackaging the jar meanwhile must not pull it from under the
    // running service.
    Path runJar = options.outDir().resolve(name + ".jar");
    Files.copy(jar, runJar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path log = options.outDir().resolve(name + ".log");
    Path jfr = options.outDir().resolve(name + ".jfr");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-jar", runJar.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> environment = builder.environment();
    String jvmFlags = shippedJvmFlags(options.repoRoot(), name);
    environment.put("JAVA_TOOL_OPTIONS", jvmFlags);
    environment.put("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
    environment.put("SERVER_PORT", Integer.toString(port));
    environment.put("SPRING_APPLICATION_JSON", springJson);
    environment.putAll(env);
    return new ServiceNode(
        name,
        port,
        builder.start(),
        log,
        options.jfr() ? jfr : null,
        jvmFlags.contains("-XX:+UseZGC"));
  }

  void awaitHealthy(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    URI health = URI.create(baseUrl() + "/actuator/health/readiness");
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited during start-up; see " + log);
      }
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200 && r.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
  }

  String name() {
    return name;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Resident memory in bytes (Linux /proc), or -1 when unknown. JDK 17's ZGC maps its heap three
   * times (one shared-memory view per colour), and VmRSS counts each view: its shared memory is
   * counted once here.
   */
  long rssBytes() {
    try {
      long anon = -1;
      long file = 0;
      long shmem = 0;
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        long kib = line.matches("Rss\\w+:.*") ? Long.parseLong(line.replaceAll("[^0-9]", "")) : 0;
        if (line.startsWith("RssAnon:")) {
          anon = kib;
        } else if (line.startsWith("RssFile:")) {
          file = kib;
        } else if (line.startsWith("RssShmem:")) {
          shmem = kib;
        }
      }
      if (anon < 0) {
        return -1;
      }
      return (anon + file + (zgc ? shmem / 3 : shmem)) * 1024;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The JFR file {@link #stopJfr} writes, if profiling. */
  Path jfrFile() {
    return jfrFile;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Starts the JFR profile now (after start-up, enrolment and warm-up), so it holds the steady
   * state only.
   */
  void startJfr() throws IOException, InterruptedException {
    if (jfrFile != null) {
      jcmd("JFR.start", "name=fleetsim", "settings=profile", "filename=" + jfrFile);
    }
  }

  /** Stops the profile and writes it to {@link #jfrFile}. */
  void stopJfr() {
    if (jfrFile != null && process.isAlive()) {
      try {
        jcmd("JFR.stop", "name=fleetsim", "filename=" + jfrFile);
      } catch (IOException | InterruptedException | IllegalStateException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        System.err.println(name + ": JFR not written: " + e.getMessage());
      }
    }
  }

  private void jcmd(String... arguments) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    command.add(Long.toString(process.pid()));
    command.addAll(List.of(arguments));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", arguments) + " failed: " + output);
    }
  }

  @Override
  public void close() {
    stopJfr();
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
