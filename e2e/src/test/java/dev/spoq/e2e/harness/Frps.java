package dev.spoq.e2e.harness;

import dev.spoq.e2e.RepoPaths;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
      Path workDir,
      ControlPlane controlPlane,
      String relayId,
      String adminUser,
      String adminPassword) {
    // The relay's config as shipped (deploy/frp/frps.toml, a frp template), given its values
    // through the environment exactly like the compose file does.
    Map<String, String> env = new LinkedHashMap<>();
    env.put("FRPS_AUTH_TOKEN", controlPlane.frpsAuthToken());
    env.put("FRPS_PLUGIN_ADDR", controlPlane.publicIp() + ":" + ControlPlane.RELAY_PORT);
    env.put("FRPS_PLUGIN_SECRET", controlPlane.pluginSecret());
    env.put("FRPS_RELAY_ID", relayId);
    env.put("FRPS_ALLOW_PORTS", FIRST_PORT + "-" + LAST_PORT);
    env.put("FRPS_ADMIN_USER", adminUser);
    env.put("FRPS_ADMIN_PASSWORD", adminPassword);
    Path config = RepoPaths.root().resolve("deploy/frp/frps.toml");
    process =
        ns.start(
            "frps",
            List.of(Binaries.require("frps", "frp release").toString(), "-c", config.toString()),
            workDir.resolve("logs/frps.log"),
            env);
    Ports.awaitTcp(ns, BIND_PORT, process, Duration.ofSeconds(20));
  }

  @Override
  public void close() {
    process.close();
  }
}
