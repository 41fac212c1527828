package dev.spoq.e2e.harness;

import dev.spoq.e2e.RepoPaths;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The WireGuard-aware relay ({@code relay-server}, its real exec jar) on the relay host: stock
 * WireGuard clients reach it on UDP {@link #WG_PORT}, agents hold their sessions on {@link
 * #AGENT_PORT}, and it fetches its Jetson set from the relay coordinator with its relay token.
 */
public final class RelayServer implements AutoCloseable {

  public static final int WG_PORT = 51820;
  public static final int AGENT_PORT = 51821;
  public static final int HTTP_PORT = 8085;

  private final NetworkNamespace ns;
  private final Path logDir;
  private final Map<String, String> env;
  private final List<ManagedProcess> runs = new ArrayList<>();
  private ManagedProcess process;

  /**
   * @param coordinatorUrl where the relay coordinator's {@code /internal/v1/relay-servers/} API is
   *     reachable from the relay host
   */
  public RelayServer(
      NetworkNamespace ns,
      Path workDir,
      String coordinatorUrl,
      String relayId,
      String relayToken,
      String publicAddress) {
    this.ns = ns;
    this.logDir = workDir.resolve("logs");
    this.env =
        Map.of(
            "SPOQ_RELAY_COORDINATOR_URL", coordinatorUrl,
            "SPOQ_RELAY_COORDINATOR_RELAYID", relayId,
            "SPOQ_RELAY_COORDINATOR_TOKEN", relayToken,
            "SPOQ_RELAY_BINDADDRESS", publicAddress,
            "SPOQ_RELAY_CLIENTPORT", String.valueOf(WG_PORT),
            "SPOQ_RELAY_AGENTPORT", String.valueOf(AGENT_PORT),
            "SERVER_PORT", String.valueOf(HTTP_PORT));
    start(workDir);
  }

  private void start(Path workDir) {
    List<String> cmd =
        List.of(
            Java.bin(),
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx128m",
            "-jar",
            Jars.snapshot("relay-server", workDir).toString());
    String log = runs.isEmpty() ? "relay-server.log" : "relay-server-" + (runs.size() + 1) + ".log";
    process = ns.start("relay-server", cmd, logDir.resolve(log), env);
    runs.add(process);
    // Ready (the image's health check) once both UDP ports are bound and a Jetson set from the
    // coordinator is in use.
    ManagedProcess p = process;
    Wait.until(
        "relay-server ready",
        Duration.ofSeconds(120),
        () -> {
          if (!p.isAlive()) {
            throw new Wait.Abort("relay-server exited:\n" + ServiceProcess.tail(p.output()));
          }
          return ns.tryExec(
                  "env",
                  "SERVER_PORT=" + HTTP_PORT,
                  "bash",
                  RepoPaths.root().resolve("deploy/docker/healthcheck.sh").toString())
              .ok();
        });
    Ports.awaitUdp(ns, WG_PORT, process, Duration.ofSeconds(5));
    Ports.awaitUdp(ns, AGENT_PORT, process, Duration.ofSeconds(5));
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String log() {
    return ServiceProcess.tail(process.output());
  }

  @Override
  public void close() {
    for (ManagedProcess p : runs) {
      p.close();
    }
  }
}
