package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real frp relay server ({@code frps} 0.52+, TOML config) on the relay host, authorising every
 * frpc through the relay coordinator's server plugin. Only used where {@code frps} is installed:
 * the binary is not a Debian package, so the relay scenario reports a skip without it.
 */
public final class Frps implements AutoCloseable {

  public static final int BIND_PORT = 7000;
  public static final int ADMIN_PORT = 7500;
  public static final int FIRST_PORT = 21000;
  public static final int LAST_PORT = 21099;

  private final ManagedProcess process;

  /** frps and frpc both on PATH (or in the sbin directories), or empty with what is missing. */
  public static Optional<String> missing() {
    boolean frps = Binaries.find("frps").isPresent();
    boolean frpc = Binaries.find("frpc").isPresent();
    if (frps && frpc) {
      return Optional.empty();
    }
    return Optional.of(
        (frps ? "" : "frps ")
            + (frpc ? "" : "frpc ")
            + "not on PATH (frp is not a Debian package; install a release from"
            + " https://github.com/fatedier/frp/releases, see deploy/OPERATIONS.md)");
  }

  public Frps(
      NetworkNamespace ns,
      String address,
      Path workDir,
      ControlPlane controlPlane,
      String relayId,
      String adminUser,
      String adminPassword) {
    Path dir = workDir.resolve("frps");
    Path config = dir.resolve("frps.toml");
    try {
      Files.createDirectories(dir);
      Files.writeString(
          config,
          """
          bindAddr = "%1$s"
          bindPort = %2$d
          auth.method = "token"
          auth.token = "%3$s"
          allowPorts = [{ start = %4$d, end = %5$d }]
          enablePrometheus = true
          webServer.addr = "%1$s"
          webServer.port = %6$d
          webServer.user = "%7$s"
          webServer.password = "%8$s"
          log.to = "console"
          log.level = "info"

          [[httpPlugins]]
          name = "spoq-relay-coordinator"
          addr = "%9$s"
          path = "/frps-plugin/%10$s/%11$s/handler"
          ops = ["Login", "NewProxy", "Ping"]
          """
              .formatted(
                  address,
                  BIND_PORT,
                  controlPlane.frpsAuthToken(),
                  FIRST_PORT,
                  LAST_PORT,
                  ADMIN_PORT,
                  adminUser,
                  adminPassword,
                  controlPlane.publicIp() + ":" + ControlPlane.RELAY_PORT,
                  controlPlane.pluginSecret(),
                  relayId));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    process =
        ns.start(
            "frps",
            List.of(Binaries.require("frps", "frp release").toString(), "-c", config.toString()),
            dir.resolve("frps.log"));
    Ports.awaitTcp(ns, BIND_PORT, process, Duration.ofSeconds(20));
  }

  public String log() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
  }
}
