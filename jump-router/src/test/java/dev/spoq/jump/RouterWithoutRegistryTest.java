package dev.spoq.jump;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.jump.testing.OpenSsh;
import dev.spoq.jump.testing.RunningRouter;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.password.UserAuthPasswordFactory;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.kex.KexProposalOption;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the router does on its own, before any registry answer matters: algorithms it offers, host
 * key persistence, refusal of password auth, fail-closed auth when the registry is unreachable,
 * garbage on the wire, HTTP endpoints. Driven with MINA's client in-process and the real OpenSSH
 * client.
 */
class RouterWithoutRegistryTest {

  @TempDir static Path dir;
  static RunningRouter router;
  static final HttpClient http = HttpClient.newHttpClient();

  static Socket reserved;
  static String unreachable;

  @BeforeAll
  static void start() throws Exception {
    // A port we hold bound without listening: connections to it are refused, and no other process
    // can take it meanwhile. Every registry call fails, so the router must fail closed.
    reserved = new Socket();
    reserved.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
    unreachable = "http://127.0.0.1:" + reserved.getLocalPort();
    // A short login grace bounds how long a client that never speaks SSH is kept; the per-IP
    // rate limit is raised because every test here connects from 127.0.0.1 (it has its own test).
    router =
        RunningRouter.start(
            unreachable,
            "test-token",
            dir.resolve("state"),
            Map.of(
                "spoq.jump.timeouts.login-grace", "5s",
                "spoq.jump.limits.unauthenticated-per-minute-per-ip", "1000",
                "spoq.jump.limits.unauthenticated-burst-per-ip", "1000"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    reserved.close();
  }

  private static SshClient client() {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier((s, a, k) -> true);
    client.start();
    return client;
  }

  @Test
  void offersOnlyModernAlgorithms() throws Exception {
    SshClient client = client();
    try (ClientSession session =
        client
            .connect("alice", "127.0.0.1", router.sshPort())
            .verify(Duration.ofSeconds(10))
            .getSession()) {
      // key exchange done, authentication not started yet
      session.waitFor(
          java.util.EnumSet.of(
              org.apache.sshd.client.session.ClientSession.ClientSessionEvent.WAIT_AUTH),
          Duration.ofSeconds(10));
      Map<KexProposalOption, String> offered = session.getServerKexProposals();
      List<String> kex = List.of(offered.get(KexProposalOption.ALGORITHMS).split(","));
      assertThat(kex).contains("curve25519-sha256", "curve25519-sha256@libssh.org");
      assertThat(kex)
          .allMatch(
              k ->
                  k.contains("25519")
                      || k.startsWith("ecdh-sha2-nistp")
                      || k.startsWith("sntrup")
                      || k.startsWith("mlkem")
                      || k.startsWith("ext-info")
                      || k.startsWith("kex-strict"));
      assertThat(offered.get(KexProposalOption.SERVERKEYS)).isEqualTo("ssh-ed25519");
      for (KexProposalOption cipher : List.of(KexProposalOption.C2SENC, KexProposalOption.S2CENC)) {
        assertThat(List.of(offered.get(cipher).split(",")))
            .containsExactly("aes128-gcm@openssh.com", "aes256-gcm@openssh.com");
      }
      for (KexProposalOption mac : List.of(KexProposalOption.C2SMAC, KexProposalOption.S2CMAC)) {
        assertThat(List.of(offered.get(mac).split(",")))
            .containsExactly("hmac-sha2-512-etm@openssh.com", "hmac-sha2-256-etm@openssh.com");
      }
      assertThat(offered.get(KexProposalOption.C2SCOMP)).isEqualTo("none");
      String all = String.join(",", offered.values()).toLowerCase();
      assertThat(all).doesNotContain("sha1", "cbc", "ssh-rsa,", "ssh-dss", "diffie-hellman-group");
      // With Bouncy Castle on the classpath MINA also offers the post-quantum hybrids.
      assertThat(session.getNegotiatedKexParameter(KexProposalOption.ALGORITHMS))
          .as("MINA client and router agree on curve25519 or a hybrid built on it")
          .matches("(curve25519-sha256.*|sntrup761x25519-sha512.*|mlkem768x25519-sha256)");
    } finally {
      client.stop();
    }
  }

  @Test
  void openSshClientSeesTheSameOfferAndWeakAlgorithmsAreRefused() {
    Path key = OpenSsh.keygen(dir, "probe_key").privateKey();
    Path config = OpenSsh.clientConfig(dir, "probe", key);
    String port = String.valueOf(router.sshPort());

    OpenSsh.Result verbose =
        OpenSsh.ssh(
            Duration.ofSeconds(20),
            null,
            "-F",
            config.toString(),
            "-vv",
            "-p",
            port,
            "alice@127.0.0.1",
            "true");
    String peer = verbose.stderr().substring(verbose.stderr().indexOf("peer server KEXINIT"));
    assertThat(line(peer, "KEX algorithms:")).contains("curve25519-sha256").doesNotContain("sha1");
    assertThat(line(peer, "ciphers ctos:")).doesNotContain("cbc");
    // a stock OpenSSH client (chacha20-poly1305 first in its list) lands on AES-GCM
    assertThat(verbose.stderr()).contains("kex: client->server cipher: aes128-gcm@openssh.com");
    assertThat(line(peer, "MACs ctos:")).doesNotContain("sha1").contains("etm@openssh.com");
    assertThat(verbose.stderr()).contains("Authentications that can continue: publickey");
    assertThat(verbose.exit()).isEqualTo(255);

    for (String[] weak :
        List.of(
            new String[] {"Ciphers=aes128-cbc"},
            new String[] {"KexAlgorithms=diffie-hellman-group14-sha1"},
            new String[] {"MACs=hmac-sha1", "Ciphers=aes128-ctr"},
            new String[] {"HostKeyAlgorithms=ssh-rsa"})) {
      List<String> args =
          new java.util.ArrayList<>(
              List.of("-F", config.toString(), "-o", "LogLevel=INFO", "-p", port));
      for (String option : weak) {
        args.add("-o");
        args.add(option);
      }
      args.add("alice@127.0.0.1");
      args.add("true");
      OpenSsh.Result r = OpenSsh.ssh(Duration.ofSeconds(20), null, args.toArray(String[]::new));
      assertThat(r.exit()).as(Arrays.toString(weak)).isEqualTo(255);
      assertThat(r.stderr()).as(Arrays.toString(weak)).containsIgnoringCase("no matching");
    }
  }

  private static String line(String text, String prefix) {
    int at = text.indexOf(prefix);
    assertThat(at).as(prefix).isNotNegative();
    int end = text.indexOf('\n', at);
    return text.substring(at, end < 0 ? text.length() : end);
  }

  @Test
  void passwordAuthenticationIsNotEvenOffered() throws Exception {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier((s, a, k) -> true);
    client.setUserAuthFactories(List.of(UserAuthPasswordFactory.INSTANCE));
    client.start();
    try (ClientSession session =
        client
            .connect("alice", "127.0.0.1", router.sshPort())
            .verify(Duration.ofSeconds(10))
            .getSession()) {
      session.addPasswordIdentity("hunter2");
      assertThatThrownBy(() -> session.auth().verify(Duration.ofSeconds(10)))
          .hasMessageContaining("No more authentication methods available");
    } finally {
      client.stop();
    }
  }

  @Test
  void registryUnreachableMeansNoLogin() throws Exception {
    SshClient client = client();
    try (ClientSession session =
        client
            .connect("alice", "127.0.0.1", router.sshPort())
            .verify(Duration.ofSeconds(10))
            .getSession()) {
      session.addPublicKeyIdentity(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256));
      assertThatThrownBy(() -> session.auth().verify(Duration.ofSeconds(10)));
      assertThat(session.isAuthenticated()).isFalse();
    } finally {
      client.stop();
    }
  }

  @Test
  void hostKeyIsPersistedAndServedAndStableAcrossRestarts() throws Exception {
    AtomicReference<PublicKey> presented = new AtomicReference<>();
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(
        (s, a, k) -> {
          presented.set(k);
          return true;
        });
    client.start();
    try (ClientSession session =
        client
            .connect("alice", "127.0.0.1", router.sshPort())
            .verify(Duration.ofSeconds(10))
            .getSession()) {
      session.addPublicKeyIdentity(KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256));
      assertThatThrownBy(() -> session.auth().verify(Duration.ofSeconds(10)));
    } finally {
      client.stop();
    }
    String fingerprint = KeyUtils.getFingerPrint(presented.get());
    assertThat(fingerprint).isEqualTo(router.server().hostKeyFingerprint()).startsWith("SHA256:");
    assertThat(OpenSsh.fingerprint(dir.resolve("state/ssh_host_ed25519_key.pub")))
        .isEqualTo(fingerprint);

    HttpResponse<String> keys = get("/api/v1/router/keys");
    assertThat(keys.statusCode()).isEqualTo(200);
    assertThat(keys.body())
        .contains(fingerprint)
        .contains(router.server().upstreamPublicKey())
        .doesNotContain("PRIVATE");

    Path other = dir.resolve("restart");
    String firstRun;
    try (RunningRouter once = RunningRouter.start(unreachable, "t", other, Map.of())) {
      firstRun = once.server().hostKeyFingerprint();
    }
    try (RunningRouter twice = RunningRouter.start(unreachable, "t", other, Map.of())) {
      assertThat(twice.server().hostKeyFingerprint()).isEqualTo(firstRun);
      assertThat(twice.server().upstreamKeyFingerprint())
          .isEqualTo(OpenSsh.fingerprint(other.resolve("upstream_ed25519_key.pub")));
    }
  }

  @Test
  void garbageOnTheWireIsDroppedAndTheRouterStaysUp() throws Exception {
    byte[] junk = new byte[64 * 1024];
    new Random(7).nextBytes(junk);
    for (byte[] payload :
        List.of(
            "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            junk,
            ("SSH-2.0-evil\r\n" + "A".repeat(40_000)).getBytes(StandardCharsets.US_ASCII))) {
      try (Socket socket = new Socket("127.0.0.1", router.sshPort())) {
        socket.setSoTimeout(60_000);
        OutputStream out = socket.getOutputStream();
        try {
          out.write(payload);
          out.flush();
        } catch (java.io.IOException closedEarly) {
          // the router hung up while we were still sending: fine
        }
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int n = 0;
        try {
          while ((n = in.read(buffer)) >= 0 && System.nanoTime() < deadline) {
            // drain until the router closes the connection
          }
        } catch (java.net.SocketException reset) {
          n = -1;
        }
        assertThat(n).as("router closed the connection").isEqualTo(-1);
      }
    }
    assertThat(router.server().isRunning()).isTrue();
    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"sshServer\"").contains("\"UP\"");
  }

  @Test
  void httpSideAnswersHealthMetricsAndProblems() throws Exception {
    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.body()).contains("sshServer").contains("hostKeyFingerprint");
    HttpResponse<String> readiness = get("/actuator/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(200);
    assertThat(readiness.body()).contains("sshServer").contains("\"status\":\"UP\"");
    // management endpoints other than health need an admin API key (common's actuator guard)
    for (String path : List.of("/actuator/prometheus", "/actuator/metrics", "/actuator/info")) {
      HttpResponse<String> open = get(path);
      assertThat(open.statusCode()).as(path).isEqualTo(401);
      assertThat(open.body()).doesNotContain("spoq_jump");
    }
    String scrape =
        router.bean(io.micrometer.prometheusmetrics.PrometheusMeterRegistry.class).scrape();
    assertThat(scrape)
        .contains("spoq_jump_sessions_active")
        .contains("spoq_jump_auth_total")
        .contains("spoq_jump_bytes_relayed_bytes_total")
        .contains("spoq_jump_bans_total");
    HttpResponse<String> missing = get("/api/v1/router/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type"))
        .hasValueSatisfying(ct -> assertThat(ct).contains("application/problem+json"));
    assertThat(missing.body()).doesNotContain("Exception").doesNotContain("at dev.");
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(URI.create(router.httpBaseUrl() + "/api/v1/router/keys"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(200_000)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isIn(405, 413);
    assertThat(post.body()).contains("\"status\"");
  }

  private static HttpResponse<String> get(String path) throws Exception {
    Map<String, String> ignored = new LinkedHashMap<>();
    return http.send(
        HttpRequest.newBuilder(URI.create(router.httpBaseUrl() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
