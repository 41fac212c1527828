package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real STUN server (coturn's {@code turnserver} in STUN-only mode) on a public address. */
public final class Stun implements AutoCloseable {

  public static final int PORT = 3478;
  private final ManagedProcess process;

  public Stun(NetworkNamespace ns, String address, Path workDir) {
    Path bin = Binaries.require("turnserver", "coturn");
    process =
        ns.start(
            "stun",
            List.of(
                bin.toString(),
                "-n",
                "--stun-only",
                "--no-cli",
                "--listening-ip=" + address,
                "--listening-port=" + PORT,
                "--pidfile=" + workDir.resolve("turnserver.pid"),
                "--log-file=stdout",
                "--simple-log"),
            workDir.resolve("logs/stun.log"));
    Ports.awaitUdp(ns, PORT, process, Duration.ofSeconds(15));
  }

  @Override
  public void close() {
    process.close();
  }
}
