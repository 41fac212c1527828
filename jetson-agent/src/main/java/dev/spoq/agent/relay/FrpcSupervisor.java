package dev.spoq.agent.relay;

import dev.spoq.agent.util.Json;
import dev.spoq.agent.util.SecureFiles;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Keeps one {@code frpc} process running with the current config: starts it, restarts it with
 * exponential backoff when it dies (reset after it stayed up for a minute), restarts it when the
 * config changes (a new relay means new connection settings, which {@code frpc reload} does not
 * apply), stops it on shutdown. Its admin API ({@code /api/status}) tells whether the proxy runs.
 */
public class FrpcSupervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FrpcSupervisor.class);
  static final Duration STABLE_AFTER = Duration.ofSeconds(60);

  public record Snapshot(
      boolean running,
      boolean connected,
      String proxyStatus,
      int restarts,
      Duration currentBackoff,
      Instant lastStart,
      String lastExit) {}

  private final String binary;
  private final Path configFile;
  private final int adminPort;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private String config;
  private Duration backoff;
  private int restarts;
  private Instant lastStart;
  private String lastExit;
  private boolean stopped;
  private long generation;

  public FrpcSupervisor(
      String binary,
      Path configFile,
      int adminPort,
      Duration initialBackoff,
      Duration maxBackoff,
      Clock clock) {
    this.binary = binary;
    this.configFile = configFile;
    this.adminPort = adminPort;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.clock = clock;
    this.backoff = initialBackoff;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "frpc-supervisor");
              t.setDaemon(true);
              return t;
            });
  }

  /** Runs frpc with this config; restarts it only when the config differs from the current. */
  public synchronized void apply(String newConfig) {
    if (stopped) {
      return;
    }
    if (Objects.equals(newConfig, config) && process != null && process.isAlive()) {
      return;
    }
    boolean reload = config != null && !Objects.equals(newConfig, config);
    config = newConfig;
    SecureFiles.write(configFile, newConfig, true);
    if (reload) {
      log.info("relay assignment changed; restarting frpc with the new {}", configFile);
      backoff = initialBackoff;
    }
    stopProcess();
    start(++generation);
  }

  /** The config frpc runs with, or null when frpc is not supervised. */
  public synchronized String currentConfig() {
    return stopped ? null : config;
  }

  public synchronized int restarts() {
    return restarts;
  }

  public synchronized Snapshot snapshot() {
    boolean running = process != null && process.isAlive();
    String proxyStatus = running ? proxyStatus() : null;
    return new Snapshot(
        running,
        "running".equals(proxyStatus),
        proxyStatus,
        restarts,
        backoff,
        lastStart,
        lastExit);
  }

  public synchronized long pid() {
    return process != null && process.isAlive() ? process.pid() : -1;
  }

  private void start(long gen) {
    if (stopped || gen != generation) {
      return;
    }
    try {
      Path logFile = configFile.resolveSibling("frpc.log");
      SecureFiles.createPrivateDirectories(logFile.getParent());
      process =
          new ProcessBuilder(List.of(binary, "-c", configFile.toString()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
      lastStart = clock.instant();
      log.info("frpc started (pid {})", process.pid());
      Process watched = process;
      watched.onExit().thenRun(() -> onExit(watched, gen));
    } catch (IOException e) {
      lastExit = "cannot start " + binary + ": " + e.getMessage();
      log.warn("{}; retrying in {} s", lastExit, backoff.toSeconds());
      scheduleRestart(gen);
    }
  }

  private synchronized void onExit(Process exited, long gen) {
    if (stopped || gen != generation || exited != process) {
      return;
    }
    lastExit = "exit code " + exited.exitValue();
    if (lastStart != null
        && Duration.between(lastStart, clock.instant()).compareTo(STABLE_AFTER) >= 0) {
      backoff = initialBackoff;
    }
    log.warn("frpc exited ({}); restarting in {} ms", lastExit, backoff.toMillis());
    scheduleRestart(gen);
  }

  private void scheduleRestart(long gen) {
    Duration delay = backoff;
    backoff = backoff.multipliedBy(2);
    if (backoff.compareTo(maxBackoff) > 0) {
      backoff = maxBackoff;
    }
    timer.schedule(
        () -> {
          synchronized (this) {
            if (!stopped && gen == generation) {
              restarts++;
              start(gen);
            }
          }
        },
        delay.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** A top-level {@code key = "value"} of the frpc config (the coordinator's), or null. */
  static String tomlString(String toml, String key) {
    if (toml == null) {
      return null;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "(?m)^\\s*"
                    + java.util.regex.Pattern.quote(key)
                    + "\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")
            .matcher(toml);
    return m.find() ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : null;
  }

  /** The first proxy's status from frpc's admin API ("running", "wait start", ...), or null. */
  String proxyStatus() {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/api/status"))
              .timeout(Duration.ofSeconds(2));
      String user = tomlString(config, "webServer.user");
      String password = tomlString(config, "webServer.password");
      if (user != null && password != null) {
        request.header(
            "Authorization",
            "Basic "
                + java.util.Base64.getEncoder()
                    .encodeToString(
                        (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      }
      HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return null;
      }
      JsonNode json = Json.MAPPER.readTree(r.body());
      for (JsonNode list : json) {
        if (list.isArray()) {
          for (JsonNode proxy : list) {
            if (proxy.hasNonNull("status")) {
              return proxy.get("status").asString();
            }
          }
        }
      }
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  private void stopProcess() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Stops frpc and forgets its config, for good (the assignment moved to a spoq relay). */
  public synchronized void stop() {
    generation++;
    boolean wasRunning = process != null && process.isAlive();
    stopProcess();
    config = null;
    try {
      Files.deleteIfExists(configFile);
    } catch (java.io.IOException e) {
      log.warn("cannot delete {}: {}", configFile, e.getMessage());
    }
    if (wasRunning) {
      log.info("frpc stopped: the relay assignment is no longer an frp relay");
    }
  }

  @Override
  public synchronized void close() {
    stopped = true;
    generation++;
    stopProcess();
    timer.shutdownNow();
    if (process != null) {
      log.info("frpc stopped");
    }
  }

  public boolean configured() {
    return config != null || Files.exists(configFile);
  }
}
