package dev.spoq.agent.bench;

import dev.spoq.agent.cli.SpoqCli;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resident memory and CPU of the agent (the shaded jar, with the JVM flags of the shipped systemd
 * unit) idling for {@code -Dbench.minutes} (default 10) with 10 peers, WireGuard (wireguard-go)
 * up, talking to a real registry. Prints the figures; not a test.
 *
 * <p>Run (root): {@code ./mvnw -pl jetson-agent -Pbench verify -DskipTests} (see README).
 */
public final class IdleFootprintBench {

  private IdleFootprintBench() {}

  public static void main(String[] args) throws Exception {
    int minutes = Integer.getInteger("bench.minutes", 10);
    Path jar = Path.of("target/jetson-agent-0.1.0-SNAPSHOT-exec.jar").toAbsolutePath();
    String jvmFlags = shippedJvmFlags(Path.of("../deploy/systemd/spoq-agent.service"));
    Path tmp = Files.createTempDirectory("spoq-bench");
    // A copy, so rebuilding the module while the benchmark runs cannot disturb the agent.
    jar = Files.copy(jar, tmp.resolve("spoq-agent.jar"));
    try (RunningRegistry registry = RunningRegistry.start();
        NetworkNamespace ns = NetworkNamespace.create("ag-bench")) {
      String user = "bench" + NetworkNamespace.randomSuffix(2);
      var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
      Path state = tmp.resolve("state");
      int rc =
          SpoqCli.execute(
              "enroll", registry.newEnrollmentCode(account), "-c", tmp.resolve("none.toml").toString(),
              "--state-dir", state.toString(), "--registry-url", registry.baseUrl(), "--hostname", "bench");
      if (rc != 0) {
        throw new IllegalStateException("enroll failed");
      }
      String jetsonId =
          Files.readString(state.resolve("agent-state.json")).replaceAll("(?s).*\"jetson_id\" : \"([^\"]+)\".*", "$1");
      for (int i = 0; i < 10; i++) {
        registry.addDevice(
            java.util.UUID.fromString(jetsonId), 1 + i / 5, "device-" + i, X25519.generate().publicKey().base64());
      }
      int registryPort = URI.create(registry.baseUrl()).getPort();
      try (var bridge = dev.spoq.agent.it.LoopbackBridge.open(ns, 18081, registryPort, tmp)) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-jar", jar.toString(), "run", "-c", tmp.resolve("none.toml").toString()));
        for (String s :
            List.of(
                "state-dir=" + state,
                "registry.url=http://127.0.0.1:18081",
                "dns.url=http://127.0.0.1:18081",
                "relay.url=http://127.0.0.1:18081",
                "wireguard.interface=wg" + NetworkNamespace.randomSuffix(3),
                "wireguard.config-dir=" + tmp.resolve("etc-wireguard"),
                "upnp.enabled=false",
                "relay.enabled=false",
                "publicip.stun-servers=",
                "publicip.echo-urls=",
                "dns.resolver=127.0.0.1:9",
                "systemd.watchdog=false")) {
          cmd.add("--set");
          cmd.add(s);
        }
        ManagedProcess agent =
            ns.start(
                "agent",
                cmd,
                tmp.resolve("agent.log"),
                Map.of("JAVA_TOOL_OPTIONS", jvmFlags));
        long pid = agent.pid();
        waitFor(() -> agent.output().contains("Spoq agent ready"), Duration.ofSeconds(60), agent);
        System.out.println("agent pid " + pid + " ready; JVM flags: " + jvmFlags);
        Thread.sleep(60_000);
        long ticks0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        long peak = 0;
        for (int m = 1; m < minutes; m++) {
          Thread.sleep(60_000);
          long rss = rssKiB(pid);
          peak = Math.max(peak, rss);
          System.out.printf("minute %2d: RSS %.1f MiB%n", m + 1, rss / 1024.0);
        }
        long ticks1 = cpuTicks(pid);
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpuPercent = (ticks1 - ticks0) / 100.0 / seconds * 100.0;
        long rss = rssKiB(pid);
        String wg = ns.exec("wg", "show", "all", "peers").output();
        System.out.println("==== idle footprint (" + minutes + " min, " + wg.strip().split("\n").length + " peers) ====");
        System.out.printf("RSS at end: %.1f MiB (peak %.1f MiB)%n", rss / 1024.0, Math.max(peak, rss) / 1024.0);
        System.out.printf("CPU: %.2f %% of one core on average over the last %.0f s%n", cpuPercent, seconds);
        agent.close();
      }
    }
  }

  static String shippedJvmFlags(Path unit) throws Exception {
    Matcher m = Pattern.compile("JAVA_TOOL_OPTIONS=([^\"]+)\"").matcher(Files.readString(unit));
    if (!m.find()) {
      throw new IllegalStateException("no JAVA_TOOL_OPTIONS in " + unit);
    }
    return m.group(1);
  }

  static long rssKiB(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  static void waitFor(java.util.function.BooleanSupplier c, Duration timeout, ManagedProcess p)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (c.getAsBoolean()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("agent not ready:\n" + p.output());
  }
}
