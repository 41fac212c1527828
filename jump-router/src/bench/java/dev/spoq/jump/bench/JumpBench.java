package dev.spoq.jump.bench;

import dev.spoq.jump.ssh.KeyFiles;
import dev.spoq.jump.testing.ContainerSshd;
import dev.spoq.jump.testing.OpenSsh;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.postgres.TestPostgres;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelDirectTcpip;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Side-by-side benchmark of the jump-router against a stock OpenSSH sshd used as jump host, in one
 * run, on this machine: ProxyJump throughput, connection setup latency, and the router's resident
 * memory with many idle sessions. Not a test: run by hand (see README "Benchmarks").
 *
 * <p>Arguments: {@code --size-mib=512 --setups=50 --idle=500 --rounds=5 --flags=docker|local
 * --jfr=<file>}. {@code --flags} picks the JVM flags a launcher ships: {@code docker} those of
 * deploy/docker/Dockerfile, {@code local} those of local-stack for the jump-router. Throughput is
 * the median of {@code --rounds}, router and OpenSSH interleaved.
 */
public final class JumpBench {

  private static final String OS_USER = System.getProperty("user.name");

  public static void main(String[] args) throws Exception {
    int sizeMiB = intArg(args, "size-mib", 512);
    int setups = intArg(args, "setups", 50);
    int idle = intArg(args, "idle", 500);
    int rounds = intArg(args, "rounds", 5);
    String flags = stringArg(args, "flags", "docker");
    String jfr = stringArg(args, "jfr", "");
    List<String> jvmFlags = new ArrayList<>(launcherFlags(flags));
    if (!jfr.isEmpty()) {
      jvmFlags.add("-XX:StartFlightRecording=filename=" + jfr + ",settings=profile");
    }
    Path jar = Path.of(System.getProperty("bench.jar", "target/jump-router-0.1.0-SNAPSHOT-exec.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException("build the router first: " + jar + " is missing");
    }
    Path dir = Files.createTempDirectory("jump-bench");
    List<AutoCloseable> cleanup = new ArrayList<>();
    try {
      RunningRegistry registry = RunningRegistry.start();
      cleanup.add(registry);
      registry.createAccount("alice", "alice", RunningRegistry.Product.CLOUD);
      registry.createAccount("idle", "idle", RunningRegistry.Product.CLOUD);
      OpenSsh.KeyFile key = OpenSsh.keygen(dir, "alice_key");
      registry.addSshKey("alice", key.publicLine());
      registry.addSshKey("idle", key.publicLine());

      int sshPort = ContainerSshd.freePort();
      int httpPort = ContainerSshd.freePort();
      TestPostgres.Database db = TestPostgres.newDatabase("jump_bench");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmFlags);
      command.addAll(
          List.of(
              "-jar",
              jar.toAbsolutePath().toString(),
              "--spring.datasource.url=" + db.jdbcUrl(),
              "--spring.datasource.username=" + db.username(),
              "--spring.datasource.password=" + db.password(),
              "--server.port=" + httpPort,
              "--spoq.registry.base-url=" + registry.baseUrl(),
              "--spoq.registry.service-token=" + registry.serviceToken("jump-router"),
              "--spoq.jump.ssh.port=" + sshPort,
              "--spoq.jump.ssh.bind-address=127.0.0.1",
              "--spoq.jump.ssh.host-key-path=" + dir.resolve("router/ssh_host_ed25519_key"),
              "--spoq.jump.upstream.client-key-path=" + dir.resolve("router/upstream_ed25519_key"),
              "--spoq.jump.upstream.login-user=" + OS_USER,
              "--spoq.jump.limits.max-sessions-per-user=2000",
              "--spoq.jump.limits.max-startups=2000:100:2000",
              "--spoq.jump.limits.per-source-max-startups=2000",
              "--logging.level.spoq.audit=WARN"));
      ManagedProcess router = ManagedProcess.start("jump-router", command, dir.resolve("router.log"));
      cleanup.add(0, router);
      router.awaitTcp("127.0.0.1", sshPort, Duration.ofSeconds(300));

      ContainerSshd target =
          ContainerSshd.start(
              dir.resolve("target"), List.of(key.publicLine()), List.of("MaxStartups 200"));
      cleanup.add(0, target);
      target.authorize(Files.readString(dir.resolve("router/upstream_ed25519_key.pub")).trim());
      registry.setContainerRoute("alice", "127.0.0.1", target.port(), target.hostKeyLine());
      ContainerSshd openSshJump =
          ContainerSshd.start(
              dir.resolve("openssh-jump"),
              List.of(key.publicLine()),
              List.of("AllowTcpForwarding yes", "MaxStartups 200"));
      cleanup.add(0, openSshJump);
      Path cfg = OpenSsh.clientConfig(dir, "bench", key.privateKey());

      Path viaRouterCfg = cfg;
      String routerJump = "alice@127.0.0.1:" + sshPort;
      String openSshJumpHost = OS_USER + "@127.0.0.1:" + openSshJump.port();
      String routerTarget = OS_USER + "@container-alice";
      String openSshTarget = OS_USER + "@127.0.0.1";
      String port = String.valueOf(target.port());

      // warm-up (JIT, known_hosts)
      for (int i = 0; i < 3; i++) {
        check(ssh(viaRouterCfg, routerJump, port, routerTarget, "true"));
        check(ssh(viaRouterCfg, openSshJumpHost, port, openSshTarget, "true"));
      }
      copy(cfg, routerJump, port, routerTarget, 64);
      copy(cfg, openSshJumpHost, port, openSshTarget, 64);

      System.out.printf(
          Locale.ROOT,
          "%n== jump-router benchmark: router vs stock OpenSSH sshd as jump host (%s) ==%n"
              + "router JVM flags (%s launcher): %s%n",
          OpenSsh.run(Duration.ofSeconds(5), List.of(Binaries.require("ssh", "openssh-client").toString(), "-V"), null).stderr().trim(),
          flags,
          String.join(" ", jvmFlags));

      List<Double> routerSecs = new ArrayList<>();
      List<Double> openSshSecs = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        routerSecs.add(copy(cfg, routerJump, port, routerTarget, sizeMiB));
        openSshSecs.add(copy(cfg, openSshJumpHost, port, openSshTarget, sizeMiB));
      }
      double rMed = pct(routerSecs, 50);
      double oMed = pct(openSshSecs, 50);
      System.out.printf(
          Locale.ROOT,
          "throughput, %d MiB through ProxyJump (median of %d): router %.1f MiB/s (%.2f s) |"
              + " OpenSSH %.1f MiB/s (%.2f s) | router/OpenSSH = %.2f%n",
          sizeMiB, rounds, sizeMiB / rMed, rMed, sizeMiB / oMed, oMed, oMed / rMed);
      System.out.printf(Locale.ROOT, "  all runs (s): router %s, OpenSSH %s%n", routerSecs, openSshSecs);

      // direct login: the router terminates SSH and bridges to its own session upstream
      List<Double> directSecs = new ArrayList<>();
      List<Double> plainSecs = new ArrayList<>();
      for (int r = 0; r < rounds; r++) {
        directSecs.add(copyDirect(cfg, "alice@127.0.0.1", String.valueOf(sshPort), sizeMiB));
        plainSecs.add(copyDirect(cfg, OS_USER + "@127.0.0.1", port, sizeMiB));
      }
      double dMed = pct(directSecs, 50);
      double pMed = pct(plainSecs, 50);
      System.out.printf(
          Locale.ROOT,
          "throughput, %d MiB by direct login (median of %d): router %.1f MiB/s (%.2f s) |"
              + " plain ssh to the container %.1f MiB/s (%.2f s) | ratio %.2f%n",
          sizeMiB, rounds, sizeMiB / dMed, dMed, sizeMiB / pMed, pMed, pMed / dMed);

      List<Double> routerSetup = new ArrayList<>();
      List<Double> openSshSetup = new ArrayList<>();
      for (int i = 0; i < setups; i++) {
        routerSetup.add(timed(() -> check(ssh(viaRouterCfg, routerJump, port, routerTarget, "true"))));
        openSshSetup.add(
            timed(() -> check(ssh(viaRouterCfg, openSshJumpHost, port, openSshTarget, "true"))));
      }
      System.out.printf(
          Locale.ROOT,
          "connection setup, `ssh -J <jump> <target> true` (n=%d each, interleaved):"
              + " router p50 %.0f ms p99 %.0f ms | OpenSSH p50 %.0f ms p99 %.0f ms |"
              + " p50 router/OpenSSH = %.2f%n",
          setups,
          pct(routerSetup, 50), pct(routerSetup, 99), pct(openSshSetup, 50), pct(openSshSetup, 99),
          pct(routerSetup, 50) / pct(openSshSetup, 50));

      if (idle > 0) {
        memory(router, registry, sshPort, key, idle, dir, String.join(" ", jvmFlags));
      }
    } finally {
      for (AutoCloseable c : cleanup) {
        try {
          c.close();
        } catch (Exception ignored) {
          // best effort
        }
      }
    }
    System.exit(0);
  }

  private static void memory(
      ManagedProcess router,
      RunningRegistry registry,
      int sshPort,
      OpenSsh.KeyFile key,
      int idle,
      Path dir,
      String flags)
      throws Exception {
    // The idle sessions' tunnels end at a plain TCP listener standing in for the container.
    List<Socket> accepted = new CopyOnWriteArrayList<>();
    try (ServerSocket sink = new ServerSocket(0, 1000)) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!sink.isClosed()) {
                  try {
                    accepted.add(sink.accept());
                  } catch (IOException e) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      registry.setContainerRoute(
          "idle", "127.0.0.1", sink.getLocalPort(), OpenSsh.keygen(dir, "unused_host").publicLine());

      Thread.sleep(2000);
      long before = rssKiB(router.pid());
      KeyPair pair = KeyFiles.loadOrCreateEd25519(key.privateKey(), "unused");
      SshClient client = SshClient.setUpDefaultClient();
      client.setServerKeyVerifier((s, a, k) -> true);
      client.start();
      List<ClientSession> sessions = new ArrayList<>();
      long started = System.nanoTime();
      try {
        for (int i = 0; i < idle; i++) {
          ClientSession s =
              client.connect("idle", "127.0.0.1", sshPort).verify(Duration.ofSeconds(30)).getSession();
          s.addPublicKeyIdentity(pair);
          s.auth().verify(Duration.ofSeconds(30));
          ChannelDirectTcpip ch =
              s.createDirectTcpipChannel(
                  new SshdSocketAddress("127.0.0.1", 0),
                  new SshdSocketAddress("container-idle", sink.getLocalPort()));
          ch.open().verify(Duration.ofSeconds(30));
          sessions.add(s);
        }
        double openSecs = (System.nanoTime() - started) / 1e9;
        Thread.sleep(5000);
        long with = rssKiB(router.pid());
        System.out.printf(
            Locale.ROOT,
            "memory (router JVM, %s): RSS %.1f MiB before; %.1f MiB with %d concurrent idle"
                + " authenticated sessions each holding a ProxyJump tunnel (%d tunnels accepted);"
                + " +%.1f KiB per session; opened in %.1f s%n",
            flags,
            before / 1024.0,
            with / 1024.0,
            sessions.size(),
            accepted.size(),
            (with - before) / (double) Math.max(1, sessions.size()),
            openSecs);
      } finally {
        for (ClientSession s : sessions) {
          s.close(true);
        }
        client.stop();
        for (Socket s : accepted) {
          s.close();
        }
      }
    }
  }

  private static long rssKiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  private static OpenSsh.Result ssh(Path cfg, String jump, String port, String target, String cmd) {
    return OpenSsh.ssh(
        Duration.ofSeconds(60), null, "-F", cfg.toString(), "-J", jump, "-p", port, target, cmd);
  }

  private static double copy(Path cfg, String jump, String port, String target, int mib) {
    String pipeline =
        String.format(
            Locale.ROOT,
            "head -c %d /dev/zero | ssh -F %s -J %s -p %s %s 'cat > /dev/null'",
            (long) mib * 1024 * 1024,
            cfg,
            jump,
            port,
            target);
    long start = System.nanoTime();
    OpenSsh.Result r = OpenSsh.run(Duration.ofMinutes(10), List.of("sh", "-c", pipeline), null);
    double secs = (System.nanoTime() - start) / 1e9;
    check(r);
    return secs;
  }

  private static double copyDirect(Path cfg, String login, String port, int mib) {
    String pipeline =
        String.format(
            Locale.ROOT,
            "head -c %d /dev/zero | ssh -F %s -p %s %s 'cat > /dev/null'",
            (long) mib * 1024 * 1024,
            cfg,
            port,
            login);
    long start = System.nanoTime();
    OpenSsh.Result r = OpenSsh.run(Duration.ofMinutes(10), List.of("sh", "-c", pipeline), null);
    double secs = (System.nanoTime() - start) / 1e9;
    check(r);
    return secs;
  }

  /**
   * The JVM flags each launcher ships for the jump-router; keep in step with
   * deploy/docker/Dockerfile and local-stack's ServiceProcess.
   */
  static List<String> launcherFlags(String launcher) {
    return switch (launcher) {
      case "docker" -> List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");
      case "local" -> List.of("-Xmx256m", "-XX:+UseSerialGC");
      default -> {
        if (launcher.startsWith("custom:")) {
          yield List.of(launcher.substring("custom:".length()).trim().split("\\s+"));
        }
        throw new IllegalArgumentException("--flags=docker|local|custom:<flags>, not " + launcher);
      }
    };
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (String a : args) {
      if (a.startsWith("--" + name + "=")) {
        return a.substring(name.length() + 3);
      }
    }
    return fallback;
  }

  private static OpenSsh.Result check(OpenSsh.Result r) {
    if (r.exit() != 0) {
      throw new IllegalStateException("benchmark command failed: " + r);
    }
    return r;
  }

  private static double timed(Runnable r) {
    long start = System.nanoTime();
    r.run();
    return (System.nanoTime() - start) / 1e6;
  }

  private static double pct(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (String a : args) {
      if (a.startsWith("--" + name + "=")) {
        return Integer.parseInt(a.substring(name.length() + 3));
      }
    }
    return fallback;
  }
}
