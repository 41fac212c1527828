package dev.spoq.jump;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.jump.testing.ContainerSshd;
import dev.spoq.jump.testing.OpenSsh;
import dev.spoq.jump.testing.RegistryAudit;
import dev.spoq.jump.testing.RunningRouter;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.postgres.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * What a new user hit with the real OpenSSH client (issue 12): the channel cap, the generated
 * {@code ~/.ssh/config}, per-address limits behind one address, disconnect texts, audit volume and
 * raw bytes in logs, and bans shared by two router replicas on one database.
 */
@ExtendWith(OutputCaptureExtension.class)
class OpenSshUserIT {

  static final String OS_USER = System.getProperty("user.name");
  static final Duration T = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static RunningRegistry registry;
  static RunningRouter router;
  static ContainerSshd alice;
  static OpenSsh.KeyFile aliceKey;
  static OpenSsh.KeyFile carolKey;
  static OpenSsh.KeyFile malloryKey;
  static Path aliceCfg;
  static Path carolCfg;
  static Path malloryCfg;
  static int jumpPort;
  static String aliceApiKey;

  @BeforeAll
  static void start() {
    jumpPort = ContainerSshd.freePort();
    // The registry renders ProxyJump lines for this router, on a non-default port.
    registry = RunningRegistry.start(Map.of("spoq.ssh.jump-host", "127.0.0.1:" + jumpPort));
    aliceApiKey = registry.createAccount("alice", "alice", RunningRegistry.Product.CLOUD).apiKey();
    registry.createAccount("carol", "carol", RunningRegistry.Product.CLOUD);
    registry.createAccount("mallory", "mallory", RunningRegistry.Product.CLOUD);
    aliceKey = OpenSsh.keygen(dir, "alice_key");
    carolKey = OpenSsh.keygen(dir, "carol_key");
    malloryKey = OpenSsh.keygen(dir, "mallory_key");
    registry.addSshKey("alice", aliceKey.publicLine());
    registry.addSshKey("carol", carolKey.publicLine());
    router = startRouter("router", Map.of("spoq.jump.ssh.port", String.valueOf(jumpPort)));
    // MaxSessions well above the router's channel cap: the container is not what refuses here.
    alice =
        ContainerSshd.start(
            dir.resolve("alice-container"),
            List.of(router.server().upstreamPublicKey()),
            List.of("MaxSessions 100", "MaxStartups 100:30:200"));
    alice.authorize(aliceKey.publicLine());
    registry.setContainerRoute("alice", "127.0.0.1", alice.port(), alice.hostKeyLine());
    registry.setContainerRoute("carol", "127.0.0.1", alice.port(), alice.hostKeyLine());
    aliceCfg = OpenSsh.clientConfig(dir, "alice", aliceKey.privateKey());
    carolCfg = OpenSsh.clientConfig(dir, "carol", carolKey.privateKey());
    malloryCfg = OpenSsh.clientConfig(dir, "mallory", malloryKey.privateKey());
  }

  static RunningRouter startRouter(String name, Map<String, String> extra) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("spoq.jump.cache.key-ttl", "2s");
    props.putAll(extra);
    RunningRouter r =
        RunningRouter.start(
            registry.baseUrl(), registry.serviceToken("jump-router"), dir.resolve(name), props);
    if (alice != null) {
      alice.authorize(r.server().upstreamPublicKey());
    }
    return r;
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {router, alice, registry}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  static OpenSsh.Result ssh(Path config, String... args) {
    List<String> all = new ArrayList<>(List.of("-F", config.toString()));
    all.addAll(List.of(args));
    return OpenSsh.ssh(T, null, all.toArray(String[]::new));
  }

  static boolean legitJump(RunningRouter via) {
    OpenSsh.Result r =
        ssh(
            aliceCfg,
            "-J",
            "alice@127.0.0.1:" + via.sshPort(),
            OS_USER + "@container-alice",
            "true");
    return r.exit() == 0;
  }

  static double counter(RunningRouter r, String name, String... tags) {
    var c = r.bean(MeterRegistry.class).find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  // ------------------------------------------------------------- 1. channel cap

  @Test
  void overTheChannelCapOnlyTheNewChannelIsRefused() throws Exception {
    try (RunningRouter capped =
        startRouter("capped", Map.of("spoq.jump.limits.max-channels-per-session", "4"))) {
      int local = ContainerSshd.freePort();
      Process tunnel =
          new ProcessBuilder(
                  "ssh",
                  "-F",
                  aliceCfg.toString(),
                  "-o",
                  "LogLevel=INFO",
                  "-N",
                  "-L",
                  "127.0.0.1:" + local + ":container-alice:22",
                  "-p",
                  String.valueOf(capped.sshPort()),
                  "alice@127.0.0.1")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("tunnel.log").toFile())
              .start();
      List<Socket> open = new ArrayList<>();
      try {
        awaitListening(local);
        for (int i = 0; i < 4; i++) {
          Socket s = new Socket("127.0.0.1", local);
          s.setSoTimeout(10_000);
          assertThat(readLine(s.getInputStream())).startsWith("SSH-2.0-OpenSSH");
          open.add(s);
        }
        // the fifth is refused alone ...
        try (Socket fifth = new Socket("127.0.0.1", local)) {
          fifth.setSoTimeout(10_000);
          assertThat(fifth.getInputStream().read()).isEqualTo(-1);
        }
        // ... the connection and its four tunnels live on
        assertThat(tunnel.isAlive()).isTrue();
        for (Socket s : open) {
          s.getOutputStream().write("SSH-2.0-probe\r\n".getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          byte[] kexinit = new byte[5];
          assertThat(s.getInputStream().readNBytes(kexinit, 0, 5)).isEqualTo(5);
        }
        // a freed slot is usable again
        open.remove(0).close();
        Thread.sleep(300);
        try (Socket again = new Socket("127.0.0.1", local)) {
          again.setSoTimeout(10_000);
          assertThat(readLine(again.getInputStream())).startsWith("SSH-2.0-OpenSSH");
        }
        assertThat(Files.readString(dir.resolve("tunnel.log"))).contains("resource shortage");
        assertThat(counter(capped, "spoq.jump.channels.refused", "reason", "too-many-channels"))
            .isGreaterThanOrEqualTo(1);
      } finally {
        for (Socket s : open) {
          s.close();
        }
        tunnel.destroy();
        tunnel.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theDefaultCapServesAControlMasterSharedBy15Commands() throws Exception {
    Path control = dir.resolve("cm-%C");
    String port = String.valueOf(router.sshPort());
    Process master =
        new ProcessBuilder(
                "ssh",
                "-F",
                aliceCfg.toString(),
                "-M",
                "-S",
                control.toString(),
                "-N",
                "-p",
                port,
                "alice@127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("master.log").toFile())
            .start();
    List<Process> clients = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + T.toNanos();
      while (ssh(aliceCfg, "-S", control.toString(), "-O", "check", "-p", port, "alice@127.0.0.1")
                  .exit()
              != 0
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      // 15 commands at once over the one connection, each holding its channel for 2 s
      for (int i = 0; i < 15; i++) {
        clients.add(
            new ProcessBuilder(
                    "ssh",
                    "-F",
                    aliceCfg.toString(),
                    "-S",
                    control.toString(),
                    "-p",
                    port,
                    "alice@127.0.0.1",
                    "sleep 2; echo done-" + i)
                .redirectErrorStream(true)
                .start());
      }
      for (int i = 0; i < clients.size(); i++) {
        Process p = clients.get(i);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).as("command " + i).contains("done-" + i);
        assertThat(p.exitValue()).isZero();
      }
      assertThat(master.isAlive()).isTrue();
    } finally {
      clients.forEach(Process::destroyForcibly);
      master.destroy();
      master.waitFor(5, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------- 2. generated ~/.ssh/config

  @Test
  void theGeneratedSshConfigWorksAsGenerated() throws Exception {
    RunningRegistry.Response answer =
        registry.call("GET", "/api/accounts/alice/ssh-config", aliceApiKey, null);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    String snippet = answer.body();
    assertThat(snippet).contains("ProxyJump alice@127.0.0.1:" + jumpPort);
    // known_hosts exactly as the snippet's comment says, plus the router's own host key
    String containerLine =
        snippet.lines().filter(l -> l.startsWith("#   container-alice ")).findFirst().orElseThrow();
    Path knownHosts = dir.resolve("generated.known_hosts");
    Files.writeString(
        knownHosts,
        containerLine.substring(4)
            + "\n[127.0.0.1]:"
            + jumpPort
            + " "
            + router.server().hostPublicKey()
            + "\n");
    // Test-only settings first (ssh takes the first value): this user's key and known_hosts,
    // and the container account of this test machine. The generated text follows unchanged.
    Path config = dir.resolve("generated.ssh_config");
    Files.writeString(
        config,
        String.join(
                "\n",
                "Match originalhost spoq",
                "  User " + OS_USER,
                "Host *",
                "  IdentityFile " + aliceKey.privateKey(),
                "  IdentitiesOnly yes",
                "  UserKnownHostsFile " + knownHosts,
                "  StrictHostKeyChecking yes",
                "  BatchMode yes",
                "")
            + snippet);
    OpenSsh.Result viaJump =
        OpenSsh.ssh(T, null, "-F", config.toString(), "spoq", "echo e2e-$USER");
    assertThat(viaJump.exit()).as(viaJump.toString()).isZero();
    assertThat(viaJump.stdout()).contains("e2e-" + OS_USER);
    OpenSsh.Result direct =
        OpenSsh.ssh(T, null, "-F", config.toString(), "spoq-direct", "echo direct-ok");
    assertThat(direct.exit()).as(direct.toString()).isZero();
    assertThat(direct.stdout()).contains("direct-ok");
  }

  // ------------------------------------------------------------- 3. limits behind one address

  @Test
  void limitsTellClientsBehindOneAddressApart() throws Exception {
    try (RunningRouter defaults = startRouter("defaults", Map.of())) {
      int quiet = 0;
      for (int i = 0; i < 50; i++) {
        quiet += legitJump(defaults) ? 1 : 0;
      }
      // abuse from the same address: failed logins and raw garbage connections, non-stop
      AtomicBoolean abusing = new AtomicBoolean(true);
      AtomicInteger abuses = new AtomicInteger();
      Thread failedLogins =
          new Thread(
              () -> {
                while (abusing.get()) {
                  ssh(
                      malloryCfg,
                      "-p",
                      String.valueOf(defaults.sshPort()),
                      "mallory@127.0.0.1",
                      "true");
                  abuses.incrementAndGet();
                }
              });
      Thread garbage =
          new Thread(
              () -> {
                while (abusing.get()) {
                  try (Socket s = new Socket("127.0.0.1", defaults.sshPort())) {
                    s.getOutputStream()
                        .write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.setSoTimeout(5000);
                    s.getInputStream().readAllBytes();
                  } catch (Exception ignored) {
                    // refused or reset: that is the point
                  }
                  abuses.incrementAndGet();
                  try {
                    Thread.sleep(2); // a few hundred a second, not a busy loop on a shared machine
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      failedLogins.start();
      garbage.start();
      int underAbuse = 0;
      try {
        for (int i = 0; i < 50; i++) {
          underAbuse += legitJump(defaults) ? 1 : 0;
        }
      } finally {
        abusing.set(false);
        failedLogins.join(30_000);
        garbage.join(30_000);
      }
      // five failed logins as someone else, then the legitimate user
      try (RunningRouter fresh = startRouter("fresh", Map.of())) {
        for (int i = 0; i < 5; i++) {
          ssh(malloryCfg, "-p", String.valueOf(fresh.sshPort()), "mallory@127.0.0.1", "true");
        }
        long deadline = System.nanoTime() + T.toNanos();
        while (!fresh.server().guard().isBanned("127.0.0.1", "mallory")
            && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        boolean afterFailures = legitJump(fresh);
        System.out.printf(
            "issue-12 experiment: 50 back-to-back ssh -J: %d/50 through; with abuse from the same"
                + " address (%d abusive connections): %d/50; after 5 failed logins as mallory:"
                + " alice %s (pair banned: %s, address banned: %s)%n",
            quiet,
            abuses.get(),
            underAbuse,
            afterFailures ? "gets in" : "REFUSED",
            fresh.server().guard().isBanned("127.0.0.1", "mallory"),
            fresh.server().guard().isBanned("127.0.0.1"));
        assertThat(quiet).isEqualTo(50);
        assertThat(underAbuse).isGreaterThanOrEqualTo(45);
        assertThat(afterFailures).isTrue();
        assertThat(fresh.server().guard().isBanned("127.0.0.1")).isFalse();
      }
      assertThat(counter(defaults, "spoq.jump.audit.security.dropped")).isZero();
    }
  }

  // ------------------------------------------------------------- 4. audit volume, raw bytes

  @Test
  void refusalsAreMetricsAndSampledLogsNeverRegistryRowsOrRawBytes(CapturedOutput output)
      throws Exception {
    try (RunningRouter r =
        startRouter("quiet", Map.of("spoq.jump.limits.per-source-max-startups", "3"))) {
      String marker = "ZZ-CLIENT-BYTES-" + System.nanoTime();
      // garbage with a marker: it must never reach a log line
      try (Socket s = new Socket("127.0.0.1", r.sshPort())) {
        s.getOutputStream()
            .write(
                (marker + "\r\n\u0001\u0002 garbage " + marker + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        s.setSoTimeout(10_000);
        s.getInputStream().readAllBytes();
      } catch (java.net.SocketException reset) {
        // fine
      }
      // 25 raw connections that say nothing: 3 are admitted (per-source share), the rest refused
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 25; i++) {
          held.add(new Socket("127.0.0.1", r.sshPort()));
          Thread.sleep(20);
        }
        long deadline = System.nanoTime() + T.toNanos();
        while (counter(r, "spoq.jump.connections.refused", "reason", "per-source") < 22
            && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
      } finally {
        for (Socket s : held) {
          s.close();
        }
      }
      assertThat(counter(r, "spoq.jump.connections.refused", "reason", "per-source")).isEqualTo(22);
      Thread.sleep(500);
      assertThat(legitJump(r)).isTrue();
      RegistryAudit.await(
          registry,
          "ssh.session",
          e ->
              "user:alice".equals(RegistryAudit.text(e, "actor"))
                  && e.get("details").get("forwardsAllowed").asInt() == 1
                  && e.get("details").get("bytesTargetToClient").asLong() > 0);
      assertThat(RegistryAudit.events(registry, "ssh.connection.open")).isEmpty();
      assertThat(RegistryAudit.events(registry, "ssh.connection.close")).isEmpty();
      assertThat(RegistryAudit.events(registry, "ssh.forward.allowed")).isEmpty();
      assertThat(output.getAll()).contains("refused a connection from 127.0.0.1: per-source");
      assertThat(output.getAll()).doesNotContain(marker);
      assertThat(counter(r, "spoq.jump.audit.security.dropped")).isZero();
    }
  }

  // ------------------------------------------------------------- 5. disconnect texts

  @Test
  void overTheSessionCapTheUserIsToldSoNotPermissionDenied() throws Exception {
    try (RunningRouter r =
        startRouter("one-session", Map.of("spoq.jump.limits.max-sessions-per-user", "1"))) {
      String port = String.valueOf(r.sshPort());
      Process first =
          new ProcessBuilder("ssh", "-F", aliceCfg.toString(), "-N", "-p", port, "alice@127.0.0.1")
              .start();
      try {
        long deadline = System.nanoTime() + T.toNanos();
        while (r.server().sessionsOf("alice") < 1 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        OpenSsh.Result second =
            ssh(aliceCfg, "-o", "LogLevel=INFO", "-p", port, "alice@127.0.0.1", "true");
        assertThat(second.exit()).isEqualTo(255);
        assertThat(second.stderr())
            .contains("too many sessions for alice (max 1)")
            .doesNotContain("Permission denied");
      } finally {
        first.destroy();
        first.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void anExpiredLoginGraceSaysSo() throws Exception {
    try (RunningRouter r = startRouter("grace", Map.of("spoq.jump.timeouts.login-grace", "2s"))) {
      // A key with a passphrase and an askpass that takes longer than the login grace.
      Path key = dir.resolve("slow_key");
      OpenSsh.run(
          T,
          List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "secret", "-f", key.toString()),
          null);
      registry.addSshKey("alice", Files.readString(Path.of(key + ".pub")).trim());
      Path askpass = dir.resolve("slow-askpass.sh");
      Files.writeString(askpass, "#!/bin/sh\nsleep 5\necho secret\n");
      Files.setPosixFilePermissions(askpass, PosixFilePermissions.fromString("rwx------"));
      Path cfg = OpenSsh.clientConfig(dir, "slow", key);
      ProcessBuilder pb =
          new ProcessBuilder(
              "ssh",
              "-F",
              cfg.toString(),
              "-o",
              "BatchMode=no",
              "-o",
              "LogLevel=INFO",
              "-p",
              String.valueOf(r.sshPort()),
              "alice@127.0.0.1",
              "true");
      pb.environment().put("SSH_ASKPASS", askpass.toString());
      pb.environment().put("SSH_ASKPASS_REQUIRE", "force");
      pb.environment().put("DISPLAY", ":0");
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      Process p = pb.start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(err).contains("login grace time (2 s) exceeded").doesNotContain("Protocol error");
    }
  }

  // ------------------------------------------------------------- issue 11: two replicas

  @Test
  void aBanMadeOnOneReplicaHoldsOnTheOtherAndTheRefusalSaysWhy() throws Exception {
    Map<String, String> shared =
        new LinkedHashMap<>(RunningRouter.database(TestPostgres.newDatabase("jump_replicas")));
    shared.put("spoq.jump.limits.max-auth-failures-per-address", "7");
    try (RunningRouter a = startRouter("replica-a", shared);
        RunningRouter b = startRouter("replica-b", shared)) {
      // carol's name with mallory's key, on replica A only
      for (int i = 0; i < 5; i++) {
        OpenSsh.Result r =
            ssh(malloryCfg, "-p", String.valueOf(a.sshPort()), "carol@127.0.0.1", "true");
        assertThat(r.stderr()).contains("Permission denied (publickey)");
      }
      long deadline = System.nanoTime() + T.toNanos();
      while (!b.server().guard().isBanned("127.0.0.1", "carol") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(b.server().guard().isBanned("127.0.0.1", "carol")).isTrue();
      // even carol's valid key is now refused on replica B, with a reason
      OpenSsh.Result onB =
          ssh(
              carolCfg,
              "-o",
              "LogLevel=INFO",
              "-p",
              String.valueOf(b.sshPort()),
              "carol@127.0.0.1",
              "true");
      assertThat(onB.exit()).isEqualTo(255);
      assertThat(onB.stderr()).contains("too many failed logins as carol from your address");
      // more failures under other names ban the whole address, again fleet-wide
      for (int i = 0; i < 2; i++) {
        ssh(malloryCfg, "-p", String.valueOf(b.sshPort()), "mallory@127.0.0.1", "true");
      }
      deadline = System.nanoTime() + T.toNanos();
      while (!a.server().guard().isBanned("127.0.0.1") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      OpenSsh.Result refused =
          ssh(
              aliceCfg,
              "-o",
              "LogLevel=INFO",
              "-p",
              String.valueOf(a.sshPort()),
              "alice@127.0.0.1",
              "true");
      assertThat(refused.exit()).isEqualTo(255);
      assertThat(refused.stderr()).contains("too many failed logins from your address");
      RegistryAudit.await(
          registry, "ssh.ban", e -> "127.0.0.1".equals(RegistryAudit.text(e, "target")));
    }
  }

  // ------------------------------------------------------------- helpers

  static void awaitListening(int port) throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(10_000);
        // a probe connection is a channel too: wait for the banner so it is really open, then go
        readLine(s.getInputStream());
        break;
      } catch (java.io.IOException notYet) {
        Thread.sleep(100);
      }
    }
    Thread.sleep(300); // the probe's channel closes
  }

  static String readLine(InputStream in) throws java.io.IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      line.append((char) c);
    }
    return line.toString().trim();
  }
}
