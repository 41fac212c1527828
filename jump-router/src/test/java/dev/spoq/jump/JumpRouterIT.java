package dev.spoq.jump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.jump.ssh.KeyFiles;
import dev.spoq.jump.testing.ContainerSshd;
import dev.spoq.jump.testing.OpenSsh;
import dev.spoq.jump.testing.RegistryAudit;
import dev.spoq.jump.testing.RunningRouter;
import dev.spoq.registry.testing.RunningRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router end to end with real components only: the real device registry (keys, routes, audit
 * trail on PostgreSQL), real OpenSSH {@code sshd} processes as alice's and bob's containers, and
 * the real {@code ssh}/{@code scp}/{@code sftp} clients (plus MINA's client where a test needs to
 * send exact protocol messages).
 */
class JumpRouterIT {

  static final String OS_USER = System.getProperty("user.name");
  static final Duration T = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static RunningRegistry registry;
  static RunningRouter router;
  static ContainerSshd alice;
  static ContainerSshd bob;
  static OpenSsh.KeyFile aliceKey;
  static OpenSsh.KeyFile bobKey;
  static OpenSsh.KeyFile malloryKey;
  static OpenSsh.KeyFile carolKey;
  static Path aliceCfg;
  static Path malloryCfg;
  static String rp;

  @BeforeAll
  static void start() {
    registry = RunningRegistry.start();
    registry.createAccount("alice", "alice", RunningRegistry.Product.CLOUD);
    registry.createAccount("bob", "bob", RunningRegistry.Product.CLOUD);
    registry.createAccount("carol", "carol", RunningRegistry.Product.CLOUD);
    registry.createAccount("dave", "dave", RunningRegistry.Product.CLOUD);
    aliceKey = OpenSsh.keygen(dir, "alice_key");
    bobKey = OpenSsh.keygen(dir, "bob_key");
    malloryKey = OpenSsh.keygen(dir, "mallory_key");
    carolKey = OpenSsh.keygen(dir, "carol_key");
    registry.addSshKey("alice", aliceKey.publicLine());
    registry.addSshKey("bob", bobKey.publicLine());
    registry.addSshKey("carol", carolKey.publicLine());
    registry.addSshKey("dave", carolKey.publicLine());

    router =
        RunningRouter.start(
            registry.baseUrl(),
            registry.serviceToken("jump-router"),
            dir.resolve("router"),
            Map.ofEntries(
                Map.entry("spoq.jump.cache.key-ttl", "2s"),
                Map.entry("spoq.jump.cache.route-ttl", "2s"),
                Map.entry("spoq.jump.timeouts.login-grace", "3s"),
                Map.entry("spoq.jump.limits.unauthenticated-per-minute-per-ip", "100000"),
                Map.entry("spoq.jump.limits.unauthenticated-burst-per-ip", "1000"),
                Map.entry("spoq.jump.limits.max-auth-failures-per-address", "1000"),
                Map.entry("spoq.jump.limits.max-channels-per-session", "10"),
                Map.entry("spoq.jump.limits.per-source-max-startups", "60"),
                Map.entry("spoq.jump.limits.max-auth-failures", "1000"),
                Map.entry("spoq.jump.limits.max-sessions-per-user", "5"),
                Map.entry("spoq.jump.limits.max-startups", "60:100:60")));
    rp = String.valueOf(router.sshPort());

    String upstream = router.server().upstreamPublicKey();
    alice = ContainerSshd.start(dir.resolve("alice-container"), List.of(upstream), List.of());
    bob = ContainerSshd.start(dir.resolve("bob-container"), List.of(upstream), List.of());
    // What a user's own ~/.ssh/authorized_keys in her container would hold for ProxyJump.
    alice.authorize(aliceKey.publicLine());
    bob.authorize(bobKey.publicLine());
    registry.setContainerRoute("alice", "127.0.0.1", alice.port(), alice.hostKeyLine());
    registry.setContainerRoute("bob", "127.0.0.1", bob.port(), bob.hostKeyLine());
    // dave's route records bob's host key for alice's sshd: a changed/unknown host key.
    registry.setContainerRoute("dave", "127.0.0.1", alice.port(), bob.hostKeyLine());

    aliceCfg = OpenSsh.clientConfig(dir, "alice", aliceKey.privateKey());
    malloryCfg = OpenSsh.clientConfig(dir, "mallory", malloryKey.privateKey());
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {router, alice, bob, registry}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  private static OpenSsh.Result ssh(Path config, String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "-F";
    all[1] = config.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return OpenSsh.ssh(T, null, all);
  }

  // ---------------------------------------------------------------- ProxyJump

  @Test
  void proxyJumpReachesOwnContainerWithStockOpenSsh() {
    OpenSsh.Result r =
        ssh(
            aliceCfg,
            "-J",
            "alice@127.0.0.1:" + rp,
            "-p",
            String.valueOf(alice.port()),
            OS_USER + "@container-alice",
            "echo via-jump $SSH_CONNECTION; exit 3");
    assertThat(r.stdout()).as(r.toString()).contains("via-jump").contains(" " + alice.port());
    assertThat(r.exit()).isEqualTo(3);

    // The default port 22 of container-alice means her route's port too.
    OpenSsh.Result defaultPort =
        ssh(aliceCfg, "-J", "alice@127.0.0.1:" + rp, OS_USER + "@container-alice", "echo ok22");
    assertThat(defaultPort.stdout()).as(defaultPort.toString()).contains("ok22");

    // one summary per session instead of open/close rows
    RegistryAudit.await(
        registry,
        "ssh.session",
        e ->
            "user:alice".equals(RegistryAudit.text(e, "actor"))
                && "jump-router".equals(RegistryAudit.text(e, "service"))
                && e.get("details").get("forwardsAllowed").asInt() == 1
                && e.get("details").get("bytesTargetToClient").asLong() > 0
                && e.get("details").get("bytesClientToTarget").asLong() > 0
                && e.get("details").has("durationMillis"));
  }

  @Test
  void everyOtherTargetIsRefusedAndAudited() throws Exception {
    int dbPort = URI.create(registry.database().jdbcUrl().substring(5)).getPort();
    String[][] targets = {
      {"container-bob", String.valueOf(bob.port())},
      {"container-bob", "22"},
      {"127.0.0.1", String.valueOf(dbPort)},
      {"127.0.0.1", String.valueOf(alice.port())},
      {"localhost", String.valueOf(alice.port())},
      {"[::1]", "22"},
      {"example.com", "22"},
      {"container-alice", String.valueOf(dbPort)},
      {"CONTAINER-BOB", String.valueOf(bob.port())},
    };
    for (String[] target : targets) {
      OpenSsh.Result r =
          ssh(
              aliceCfg,
              "-o",
              "LogLevel=INFO",
              "-p",
              rp,
              "-W",
              target[0] + ":" + target[1],
              "alice@127.0.0.1");
      assertThat(r.exit()).as(String.join(":", target) + " " + r).isEqualTo(255);
      assertThat(r.stderr()).as(String.join(":", target)).contains("administratively prohibited");
    }
    // and through -J exactly as a user would type it
    OpenSsh.Result viaJump =
        ssh(aliceCfg, "-J", "alice@127.0.0.1:" + rp, OS_USER + "@container-bob", "echo BAD");
    assertThat(viaJump.stdout()).doesNotContain("BAD");
    assertThat(viaJump.exit()).isEqualTo(255);

    for (String target :
        List.of(
            "container-bob:" + bob.port(),
            "127.0.0.1:" + dbPort,
            "example.com:22",
            "localhost:" + alice.port())) {
      RegistryAudit.await(
          registry,
          "ssh.forward.denied",
          e ->
              target.equals(RegistryAudit.text(e, "target"))
                  && "DENIED".equals(RegistryAudit.text(e, "outcome"))
                  && "user:alice".equals(RegistryAudit.text(e, "actor")));
    }
  }

  @Test
  void refusalIsAdministrativelyProhibitedOnTheWire() throws Exception {
    SshClient client = minaClient();
    try (ClientSession session = login(client, "bob", bobKey)) {
      assertThatThrownBy(
              () ->
                  session
                      .createDirectTcpipChannel(
                          new org.apache.sshd.common.util.net.SshdSocketAddress("127.0.0.1", 0),
                          new org.apache.sshd.common.util.net.SshdSocketAddress(
                              "container-alice", alice.port()))
                      .open()
                      .verify(T))
          .satisfies(
              e -> {
                Throwable cause = e;
                while (cause != null
                    && !(cause
                        instanceof
                        org.apache.sshd.common.channel.exception.SshChannelOpenException)) {
                  cause = cause.getCause();
                }
                assertThat(cause).isNotNull();
                assertThat(
                        ((org.apache.sshd.common.channel.exception.SshChannelOpenException) cause)
                            .getReasonCode())
                    .isEqualTo(SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
              });
    } finally {
      client.stop();
    }
  }

  @Test
  void remoteForwardingAndAgentForwardingAreRefused() {
    OpenSsh.Result remote =
        ssh(
            aliceCfg,
            "-o",
            "ExitOnForwardFailure=yes",
            "-o",
            "LogLevel=INFO",
            "-R",
            "0:127.0.0.1:" + alice.port(),
            "-p",
            rp,
            "alice@127.0.0.1",
            "echo BAD");
    assertThat(remote.stdout()).doesNotContain("BAD");
    assertThat(remote.stderr()).containsIgnoringCase("remote port forwarding failed");
    assertThat(remote.exit()).isEqualTo(255);

    // -A with a real ssh-agent holding alice's key: neither the router nor her container get it
    Path socket = dir.resolve("agent.sock");
    try (dev.spoq.testsupport.process.ManagedProcess agent =
        dev.spoq.testsupport.process.ManagedProcess.start(
            "ssh-agent",
            List.of(
                dev.spoq.testsupport.process.Binaries.require("ssh-agent", "openssh-client")
                    .toString(),
                "-D",
                "-a",
                socket.toString()),
            dir.resolve("ssh-agent.log"))) {
      long deadline = System.nanoTime() + T.toNanos();
      while (!Files.exists(socket) && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      String ssh =
          dev.spoq.testsupport.process.Binaries.require("ssh", "openssh-client").toString();
      OpenSsh.Result forwarded =
          OpenSsh.run(
              T,
              List.of(
                  "env",
                  "SSH_AUTH_SOCK=" + socket,
                  ssh,
                  "-F",
                  aliceCfg.toString(),
                  "-A",
                  "-p",
                  rp,
                  "alice@127.0.0.1",
                  "echo agent=[$SSH_AUTH_SOCK]"),
              null);
      assertThat(forwarded.stdout()).as(forwarded.toString()).contains("agent=[]");
      // control: the same client and agent straight to the container do get an agent socket
      OpenSsh.Result control =
          OpenSsh.run(
              T,
              List.of(
                  "env",
                  "SSH_AUTH_SOCK=" + socket,
                  ssh,
                  "-F",
                  aliceCfg.toString(),
                  "-A",
                  "-p",
                  String.valueOf(alice.port()),
                  OS_USER + "@127.0.0.1",
                  "echo agent=[$SSH_AUTH_SOCK]"),
              null);
      assertThat(control.stdout()).as(control.toString()).containsPattern("agent=\\[/.+\\]");
      assertThat(agent.isAlive()).isTrue();
    }
  }

  // ---------------------------------------------------------------- direct login

  @Test
  void directLoginRunsCommandsOnTheOwnContainer() {
    OpenSsh.Result r =
        ssh(
            aliceCfg,
            "-p",
            rp,
            "alice@127.0.0.1",
            "echo out $SSH_CONNECTION; echo err >&2; exit 7");
    assertThat(r.stdout()).as(r.toString()).contains("out").contains(" " + alice.port());
    assertThat(r.stderr()).contains("err");
    assertThat(r.exit()).isEqualTo(7);

    OpenSsh.Result stdin =
        OpenSsh.ssh(
            T,
            "line one\nline two\n".getBytes(StandardCharsets.UTF_8),
            "-F",
            aliceCfg.toString(),
            "-p",
            rp,
            "alice@127.0.0.1",
            "wc -l; echo done");
    assertThat(stdin.stdout()).as(stdin.toString()).contains("2").contains("done");
    assertThat(stdin.exit()).isZero();

    OpenSsh.Result tty = ssh(aliceCfg, "-tt", "-p", rp, "alice@127.0.0.1", "tty; exit 4");
    assertThat(tty.stdout()).as(tty.toString()).contains("/dev/pts/");
    assertThat(tty.exit()).isEqualTo(4);

    RegistryAudit.await(
        registry,
        "ssh.login.upstream",
        e -> ("container-alice").equals(RegistryAudit.text(e, "target")));
  }

  @Test
  void shellWithPtySizeAndWindowChangePassesThrough() throws Exception {
    SshClient client = minaClient();
    try (ClientSession session = login(client, "alice", aliceKey)) {
      ChannelShell shell = session.createShellChannel();
      shell.setPtyType("xterm");
      shell.setPtyColumns(101);
      shell.setPtyLines(41);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      shell.setOut(out);
      shell.setErr(out);
      shell.setRedirectErrorStream(true);
      java.io.PipedOutputStream typing = new java.io.PipedOutputStream();
      shell.setIn(new java.io.PipedInputStream(typing));
      shell.open().verify(T);
      typing.write("stty size; echo MARK1\n".getBytes(StandardCharsets.UTF_8));
      typing.flush();
      awaitText(out, "41 101");
      shell.sendWindowChange(132, 50);
      Thread.sleep(300);
      typing.write("stty size; exit 5\n".getBytes(StandardCharsets.UTF_8));
      typing.flush();
      shell.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), T);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("50 132");
      assertThat(shell.getExitStatus()).isEqualTo(5);
    } finally {
      client.stop();
    }
  }

  @Test
  void signalsAndExitSignalPassThrough() throws Exception {
    SshClient client = minaClient();
    try (ClientSession session = login(client, "alice", aliceKey)) {
      // exit-signal: the remote process dies of SIGTERM, the user sees exit-signal TERM
      ChannelExec dies = session.createExecChannel("echo dying; kill -TERM $$; sleep 5");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      dies.setOut(out);
      dies.setErr(new ByteArrayOutputStream());
      dies.open().verify(T);
      dies.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), T);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("dying");
      assertThat(dies.getExitSignal()).isEqualTo("TERM");

      // signal: the user's "signal" request reaches the container's sshd. (OpenSSH only acts on
      // it for non-root logins with privilege separation; the test containers log in as root, so
      // we check that sshd received and parsed it.)
      ChannelExec exec = session.createExecChannel("echo started; exec sleep 3");
      ByteArrayOutputStream started = new ByteArrayOutputStream();
      exec.setOut(started);
      exec.setErr(new ByteArrayOutputStream());
      exec.open().verify(T);
      awaitText(started, "started");
      Buffer signal = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
      signal.putUInt(exec.getRecipient());
      signal.putString("signal");
      signal.putBoolean(false);
      signal.putString("TERM");
      exec.writePacket(signal);
      exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), T);
      long deadline = System.nanoTime() + T.toNanos();
      while (!alice.log().contains("session_signal_req") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(alice.log()).contains("session_signal_req");
    } finally {
      client.stop();
    }
  }

  @Test
  void scpAndSftpRoundTripByteForByte() throws Exception {
    byte[] data = new byte[4 * 1024 * 1024 + 123];
    new Random(42).nextBytes(data);
    Path local = dir.resolve("payload.bin");
    Files.write(local, data);
    Path remote = alice.dir().resolve("uploaded.bin");
    Path back = dir.resolve("payload.back");
    String scp = dev.spoq.testsupport.process.Binaries.require("scp", "openssh-client").toString();

    OpenSsh.Result up =
        OpenSsh.run(
            T,
            List.of(
                scp,
                "-F",
                aliceCfg.toString(),
                "-P",
                rp,
                local.toString(),
                "alice@127.0.0.1:" + remote),
            null);
    assertThat(up.exit()).as(up.toString()).isZero();
    OpenSsh.Result down =
        OpenSsh.run(
            T,
            List.of(
                scp,
                "-F",
                aliceCfg.toString(),
                "-P",
                rp,
                "alice@127.0.0.1:" + remote,
                back.toString()),
            null);
    assertThat(down.exit()).as(down.toString()).isZero();
    assertThat(sha256(Files.readAllBytes(remote))).isEqualTo(sha256(data));
    assertThat(sha256(Files.readAllBytes(back))).isEqualTo(sha256(data));

    Path viaSftp = dir.resolve("payload.sftp");
    String sftp =
        dev.spoq.testsupport.process.Binaries.require("sftp", "openssh-client").toString();
    OpenSsh.Result batch =
        OpenSsh.run(
            T,
            List.of(sftp, "-F", aliceCfg.toString(), "-P", rp, "-b", "-", "alice@127.0.0.1"),
            ("ls " + alice.dir() + "\nget " + remote + " " + viaSftp + "\n")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(batch.exit()).as(batch.toString()).isZero();
    assertThat(batch.stdout()).contains("uploaded.bin");
    assertThat(sha256(Files.readAllBytes(viaSftp))).isEqualTo(sha256(data));
  }

  @Test
  void noRouteOrWrongUpstreamHostKeyRefusesDirectLogin() {
    Path carolCfg = OpenSsh.clientConfig(dir, "carol", carolKey.privateKey());
    OpenSsh.Result noRoute = ssh(carolCfg, "-p", rp, "carol@127.0.0.1", "echo BAD");
    assertThat(noRoute.stdout()).doesNotContain("BAD");
    assertThat(noRoute.stderr()).contains("no container is registered");
    assertThat(noRoute.exit()).isEqualTo(1);

    OpenSsh.Result changedKey = ssh(carolCfg, "-p", rp, "dave@127.0.0.1", "echo BAD");
    assertThat(changedKey.stdout()).doesNotContain("BAD");
    assertThat(changedKey.stderr()).contains("host key does not match");
    assertThat(changedKey.exit()).isEqualTo(255);
    RegistryAudit.await(
        registry, "ssh.login.failure", e -> "user:dave".equals(RegistryAudit.text(e, "actor")));
  }

  // ---------------------------------------------------------------- auth

  @Test
  void wrongKeyIsRefusedAndAuditedWithItsFingerprint() {
    OpenSsh.Result r = ssh(malloryCfg, "-p", rp, "alice@127.0.0.1", "echo BAD");
    assertThat(r.exit()).isEqualTo(255);
    assertThat(r.stdout()).doesNotContain("BAD");
    assertThat(r.stderr()).contains("Permission denied (publickey)");
    String fingerprint = OpenSsh.fingerprint(Path.of(malloryKey.privateKey() + ".pub"));
    RegistryAudit.await(
        registry,
        "ssh.auth.failure",
        e ->
            "user:alice".equals(RegistryAudit.text(e, "actor"))
                && fingerprint.equals(e.get("details").get("keyFingerprint").asString()));
    // an unknown user gets the same answer
    OpenSsh.Result nobody = ssh(malloryCfg, "-p", rp, "nobody-here@127.0.0.1", "true");
    assertThat(nobody.stderr()).contains("Permission denied (publickey)");
  }

  @Test
  void revokedKeyStopsWorkingWithinTheCacheTtl() throws Exception {
    OpenSsh.KeyFile laptop = OpenSsh.keygen(dir, "bob_laptop");
    RunningRegistry.SshKey added = registry.addSshKey("bob", laptop.publicLine());
    Path laptopCfg = OpenSsh.clientConfig(dir, "bob-laptop", laptop.privateKey());
    assertThat(ssh(laptopCfg, "-p", rp, "bob@127.0.0.1", "echo in").stdout()).contains("in");

    registry.revokeSshKey("bob", added.id());
    long revokedAt = System.nanoTime();
    OpenSsh.Result r;
    do {
      Thread.sleep(250);
      r = ssh(laptopCfg, "-p", rp, "bob@127.0.0.1", "echo still-in");
    } while (r.exit() == 0 && System.nanoTime() - revokedAt < Duration.ofSeconds(60).toNanos());
    Duration took = Duration.ofNanos(System.nanoTime() - revokedAt);
    assertThat(r.exit()).isEqualTo(255);
    assertThat(r.stderr()).contains("Permission denied (publickey)");
    assertThat(took).isLessThan(Duration.ofSeconds(10)); // TTL is 2 s here; 20 s by default
    // bob's other key is unaffected
    Path bobCfg = OpenSsh.clientConfig(dir, "bob", bobKey.privateKey());
    assertThat(ssh(bobCfg, "-p", rp, "bob@127.0.0.1", "echo fine").stdout()).contains("fine");
  }

  @Test
  void maxSessionsPerUserIsEnforced() throws Exception {
    SshClient client = minaClient();
    List<ClientSession> open = new java.util.ArrayList<>();
    long settle = System.nanoTime() + T.toNanos();
    while (router.server().sessionsOf("carol") > 0 && System.nanoTime() < settle) {
      Thread.sleep(50); // sessions of earlier tests still closing
    }
    try {
      for (int i = 0; i < 5; i++) {
        open.add(login(client, "carol", carolKey));
      }
      assertThatThrownBy(() -> login(client, "carol", carolKey));
      assertThat(router.server().sessionsOf("carol")).isEqualTo(5);
      open.remove(0).close();
      while (router.server().sessionsOf("carol") > 4 && System.nanoTime() < settle + T.toNanos()) {
        Thread.sleep(50);
      }
      open.add(login(client, "carol", carolKey));
    } finally {
      for (ClientSession s : open) {
        s.close(true);
      }
      client.stop();
    }
    RegistryAudit.await(
        registry,
        "ssh.auth.failure",
        e ->
            "user:carol".equals(RegistryAudit.text(e, "actor"))
                && "too-many-sessions".equals(e.get("details").get("reason").asString()));
  }

  @Test
  void bruteForceGetsTheSourceAddressBanned() throws Exception {
    try (RunningRouter strict =
        RunningRouter.start(
            registry.baseUrl(),
            registry.serviceToken("jump-router"),
            dir.resolve("strict-router"),
            Map.of(
                "spoq.jump.limits.max-auth-failures", "3",
                "spoq.jump.limits.ban-duration", "10m"))) {
      String port = String.valueOf(strict.sshPort());
      for (int i = 0; i < 3; i++) {
        OpenSsh.Result r = ssh(malloryCfg, "-p", port, "alice@127.0.0.1", "true");
        assertThat(r.stderr()).contains("Permission denied (publickey)");
      }
      long deadline = System.nanoTime() + T.toNanos();
      while (!strict.server().guard().isBanned("127.0.0.1", "alice")
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      // the pair (address, alice) is banned: even the right key, with the reason
      OpenSsh.Result banned =
          ssh(aliceCfg, "-o", "LogLevel=INFO", "-p", port, "alice@127.0.0.1", "echo BAD");
      assertThat(banned.exit()).isEqualTo(255);
      assertThat(banned.stdout()).doesNotContain("BAD");
      assertThat(banned.stderr())
          .doesNotContain("Permission denied")
          .contains("too many failed logins as alice from your address");
      // others behind the same address are not
      assertThat(strict.server().guard().isBanned("127.0.0.1")).isFalse();
      Path bobCfg = OpenSsh.clientConfig(dir, "bob", bobKey.privateKey());
      bob.authorize(strict.server().upstreamPublicKey());
      OpenSsh.Result bobIn = ssh(bobCfg, "-p", port, "bob@127.0.0.1", "echo bob-in");
      assertThat(bobIn.stdout()).as(bobIn.toString()).contains("bob-in");
      RegistryAudit.await(
          registry,
          "ssh.ban",
          e ->
              "127.0.0.1".equals(RegistryAudit.text(e, "target"))
                  && "DENIED".equals(RegistryAudit.text(e, "outcome")));
      assertThat(
              strict
                  .bean(io.micrometer.core.instrument.MeterRegistry.class)
                  .counter("spoq.jump.bans", "scope", "user")
                  .count())
          .isEqualTo(1);
      // the main router (other instance) still serves 127.0.0.1
      assertThat(ssh(aliceCfg, "-p", rp, "alice@127.0.0.1", "echo ok").stdout()).contains("ok");
    }
  }

  @Test
  void onlyUnauthenticatedConnectionsSpendTheAddressBudget() throws Exception {
    try (RunningRouter limited =
        RunningRouter.start(
            registry.baseUrl(),
            registry.serviceToken("jump-router"),
            dir.resolve("limited-router"),
            Map.of(
                "spoq.jump.limits.unauthenticated-per-minute-per-ip", "3",
                "spoq.jump.limits.unauthenticated-burst-per-ip", "3",
                "spoq.jump.limits.throttled-per-source-max-startups", "1"))) {
      String port = String.valueOf(limited.sshPort());
      alice.authorize(limited.server().upstreamPublicKey());
      // logins with a registered key cost nothing: far more than the budget of 3
      for (int i = 0; i < 6; i++) {
        OpenSsh.Result ok = ssh(aliceCfg, "-p", port, "alice@127.0.0.1", "echo in" + i);
        assertThat(ok.stdout()).as(ok.toString()).contains("in" + i);
      }
      assertThat(limited.server().guard().isThrottled("127.0.0.1")).isFalse();
      // three connections that never authenticate spend it
      for (int i = 0; i < 3; i++) {
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", limited.sshPort())) {
          raw.getOutputStream().write("nonsense\r\n".getBytes(StandardCharsets.US_ASCII));
          raw.setSoTimeout(10_000);
          raw.getInputStream().readAllBytes();
        } catch (java.net.SocketException reset) {
          // closed by the router
        }
      }
      long deadline = System.nanoTime() + T.toNanos();
      while (!limited.server().guard().isThrottled("127.0.0.1") && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      // throttled: one unauthenticated connection at a time; a second is told why and closed
      try (java.net.Socket holder = new java.net.Socket("127.0.0.1", limited.sshPort())) {
        holder.setSoTimeout(10_000);
        holder.getInputStream().read(); // its banner: it is admitted and unauthenticated
        OpenSsh.Result second =
            ssh(aliceCfg, "-o", "LogLevel=INFO", "-p", port, "alice@127.0.0.1", "echo BAD");
        assertThat(second.exit()).isEqualTo(255);
        assertThat(second.stdout()).doesNotContain("BAD");
        assertThat(second.stderr())
            .contains("too many unauthenticated connections from your address");
      }
      // the slot is free again: the registered key gets in
      Thread.sleep(300);
      OpenSsh.Result again = ssh(aliceCfg, "-p", port, "alice@127.0.0.1", "echo again");
      assertThat(again.stdout()).as(again.toString()).contains("again");
      assertThat(
              limited
                  .bean(io.micrometer.core.instrument.MeterRegistry.class)
                  .counter("spoq.jump.connections.refused", "reason", "per-source")
                  .count())
          .isGreaterThanOrEqualTo(1);
    }
  }

  // ---------------------------------------------------------------- hostile clients

  @Test
  void stalledKeyExchangesAreDroppedAfterTheLoginGraceAndOthersAreServed() throws Exception {
    List<java.net.Socket> stalled = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        java.net.Socket s = new java.net.Socket("127.0.0.1", router.sshPort());
        s.getOutputStream().write("SSH-2.0-stalling\r\n".getBytes(StandardCharsets.US_ASCII));
        s.setSoTimeout(10_000);
        stalled.add(s);
      }
      OpenSsh.Result served = ssh(aliceCfg, "-p", rp, "alice@127.0.0.1", "echo served");
      assertThat(served.stdout()).as(served.toString()).contains("served");
      long start = System.nanoTime();
      for (java.net.Socket s : stalled) {
        byte[] buffer = new byte[8192];
        int n;
        try {
          while ((n = s.getInputStream().read(buffer)) >= 0) {
            // banner and KEXINIT, then nothing until the router hangs up
          }
        } catch (java.net.SocketException reset) {
          n = -1;
        }
        assertThat(n).isEqualTo(-1);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    } finally {
      for (java.net.Socket s : stalled) {
        s.close();
      }
    }
  }

  @Test
  void floodOfChannelOpensLeavesTheRouterServingOthers() throws Exception {
    SshClient client = minaClient();
    try (ClientSession session = login(client, "bob", bobKey)) {
      int refused = 0;
      for (int i = 0; i < 2000 && session.isOpen(); i++) {
        try {
          session
              .createDirectTcpipChannel(
                  new org.apache.sshd.common.util.net.SshdSocketAddress("127.0.0.1", 0),
                  new org.apache.sshd.common.util.net.SshdSocketAddress(
                      i % 2 == 0 ? "container-alice" : "10.0.0." + (i % 250), 22))
              .open();
        } catch (Exception e) {
          refused++;
        }
      }
      // also more concurrent channels to its own container than allowed
      List<org.apache.sshd.client.channel.ChannelDirectTcpip> own = new java.util.ArrayList<>();
      int ownRefused = 0;
      for (int i = 0; i < 30 && session.isOpen(); i++) {
        try {
          var ch =
              session.createDirectTcpipChannel(
                  new org.apache.sshd.common.util.net.SshdSocketAddress("127.0.0.1", 0),
                  new org.apache.sshd.common.util.net.SshdSocketAddress("container-bob", 22));
          ch.open().verify(T);
          own.add(ch);
        } catch (Exception e) {
          ownRefused++;
        }
      }
      // max-channels-per-session is 10 here: the rest are refused one by one, the connection lives
      assertThat(own).hasSize(10);
      assertThat(ownRefused).isEqualTo(20);
      assertThat(session.isOpen()).isTrue();
      assertThat(refused).isGreaterThanOrEqualTo(0);
    } finally {
      client.stop();
    }
    assertThat(router.server().isRunning()).isTrue();
    OpenSsh.Result served = ssh(aliceCfg, "-p", rp, "alice@127.0.0.1", "echo still-serving");
    assertThat(served.stdout()).as(served.toString()).contains("still-serving");
  }

  // ---------------------------------------------------------------- ops

  @Test
  void metricsAndHealthReflectTraffic() throws Exception {
    ssh(aliceCfg, "-J", "alice@127.0.0.1:" + rp, OS_USER + "@container-alice", "echo m");
    ssh(malloryCfg, "-p", rp, "alice@127.0.0.1", "true");
    HttpClient http = HttpClient.newHttpClient();
    URI prometheus = URI.create(router.httpBaseUrl() + "/actuator/prometheus");
    // without credentials, or with a user's (non-admin) API key: refused as problem details
    HttpResponse<String> anonymous =
        http.send(HttpRequest.newBuilder(prometheus).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("\"status\":401").doesNotContain("spoq_jump");
    String userKey = registry.createAccount("erin", "erin", RunningRegistry.Product.CLOUD).apiKey();
    HttpResponse<String> user =
        http.send(
            HttpRequest.newBuilder(prometheus).header("Authorization", "Bearer " + userKey).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(user.statusCode()).isEqualTo(403);
    String metrics =
        http.send(
                HttpRequest.newBuilder(prometheus)
                    .header("Authorization", "Bearer " + registry.adminKey())
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(value(metrics, "spoq_jump_bytes_relayed_bytes_total{direction=\"target-to-client\""))
        .isPositive();
    assertThat(value(metrics, "spoq_jump_auth_total{result=\"failure\"")).isPositive();
    assertThat(value(metrics, "spoq_jump_auth_total{result=\"success\"")).isPositive();
    assertThat(metrics).contains("spoq_jump_sessions_active");
    String health =
        http.send(
                HttpRequest.newBuilder(URI.create(router.httpBaseUrl() + "/actuator/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(health).containsPattern("\"sshServer\":\\{[^}]*\\}?[^}]*\"status\":\"UP\"");
  }

  static double value(String prometheus, String seriesPrefix) {
    double sum = 0;
    for (String line : prometheus.split("\n")) {
      if (line.startsWith(seriesPrefix)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  // ---------------------------------------------------------------- helpers

  static SshClient minaClient() {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(
        (s, a, k) ->
            org.apache.sshd.common.config.keys.KeyUtils.getFingerPrint(k)
                .equals(router.server().hostKeyFingerprint()));
    client.start();
    return client;
  }

  static ClientSession login(SshClient client, String user, OpenSsh.KeyFile key) throws Exception {
    KeyPair pair = KeyFiles.loadOrCreateEd25519(key.privateKey(), "unused");
    ClientSession session =
        client.connect(user, "127.0.0.1", router.sshPort()).verify(T).getSession();
    session.addPublicKeyIdentity(pair);
    try {
      session.auth().verify(T);
    } catch (Exception e) {
      session.close(true);
      throw e;
    }
    return session;
  }

  static void awaitText(ByteArrayOutputStream out, String text) throws InterruptedException {
    long deadline = System.nanoTime() + T.toNanos();
    while (!out.toString(StandardCharsets.UTF_8).contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never saw '" + text + "' in: " + out);
      }
      Thread.sleep(50);
    }
  }

  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
