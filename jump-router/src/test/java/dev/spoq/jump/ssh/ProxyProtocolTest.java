package dev.spoq.jump.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.jump.limits.ConnectionGuard;
import dev.spoq.jump.testing.OpenSsh;
import dev.spoq.jump.testing.RunningRouter;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: behind a TCP balancer the router takes the client's address from the PROXY protocol
 * header, but only from the trusted balancer. One router trusts 127.0.0.1 (the test is its
 * balancer), the other trusts nobody here. The connections are raw sockets, so the test can send
 * what a balancer (or an attacker) would; the real nginx and OpenSSH run in the e2e module's
 * JumpRouterBehindNginxIT.
 */
class ProxyProtocolTest {

  @TempDir static Path dir;
  static TestPostgres.Database db;
  static Socket unreachable;
  static RunningRouter behindBalancer;
  static RunningRouter direct;

  @BeforeAll
  static void start() throws Exception {
    unreachable = new Socket();
    unreachable.bind(new InetSocketAddress("127.0.0.1", 0));
    db = TestPostgres.newDatabase("jump_router");
    Map<String, String> props = new LinkedHashMap<>(RunningRouter.database(db));
    props.put("spoq.jump.limits.unauthenticated-per-minute-per-ip", "1000");
    props.put("spoq.jump.limits.unauthenticated-burst-per-ip", "1000");
    String registry = "http://127.0.0.1:" + unreachable.getLocalPort();
    Map<String, String> trusting = new LinkedHashMap<>(props);
    trusting.put("spoq.jump.ssh.proxy-protocol.trusted-from", "127.0.0.1/32,192.0.2.0/24");
    behindBalancer = RunningRouter.start(registry, "t", dir.resolve("a"), trusting);
    Map<String, String> notTrusting = new LinkedHashMap<>(props);
    notTrusting.put("spoq.jump.ssh.proxy-protocol.trusted-from", "192.0.2.10");
    direct = RunningRouter.start(registry, "t", dir.resolve("b"), notTrusting);
  }

  @AfterAll
  static void stop() throws Exception {
    if (behindBalancer != null) {
      behindBalancer.close();
    }
    if (direct != null) {
      direct.close();
    }
    unreachable.close();
  }

  @Test
  void aBanOnTheClientAddressAppliesThroughTheBalancerAndAnotherClientIsAdmitted()
      throws Exception {
    try (var conn = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        var st =
            conn.prepareStatement(
                "insert into jump_router.ban (source_ip, username, scope, banned_until)"
                    + " values ('203.0.113.7', '', 'address', now() + interval '10 minutes')")) {
      st.executeUpdate();
    }
    ConnectionGuard guard = behindBalancer.bean(ConnectionGuard.class);
    for (int i = 0; i < 100 && !guard.isBanned("203.0.113.7"); i++) {
      Thread.sleep(100); // shared bans are read about once a second
    }
    assertThat(guard.isBanned("203.0.113.7")).isTrue();

    Exchange banned = exchange(behindBalancer, "PROXY TCP4 203.0.113.7 127.0.0.1 50000 2222\r\n");
    assertThat(banned.closed()).as(banned.text()).isTrue();
    assertThat(banned.text()).contains("too many failed logins from your address");

    Exchange other = exchange(behindBalancer, "PROXY TCP4 203.0.113.8 127.0.0.1 50001 2222\r\n");
    assertThat(other.closed()).as("admitted: key exchange goes on").isFalse();
    assertThat(other.text()).startsWith("SSH-2.0-SpoqJump").doesNotContain("too many");
  }

  @Test
  void theTrustedBalancerMustSendAHeader() throws Exception {
    Exchange bare = exchange(behindBalancer, "");
    assertThat(bare.closed()).isTrue();
    Exchange garbage = exchange(behindBalancer, "PROXY TCP4 not-an-address 127.0.0.1 1 2\r\n");
    assertThat(garbage.closed()).isTrue();
  }

  @Test
  void aHeaderFromAnUntrustedAddressIsRefusedAndDirectClientsStillWork() throws Exception {
    Exchange spoofed = exchange(direct, "PROXY TCP4 198.51.100.1 127.0.0.1 50000 2222\r\n");
    assertThat(spoofed.closed()).isTrue();
    Exchange plain = exchange(direct, "");
    assertThat(plain.closed()).isFalse();
    assertThat(plain.text()).startsWith("SSH-2.0-SpoqJump");
  }

  @Test
  void openSshThroughABalancerThatSendsTheHeaderFirstCompletesTheKeyExchange() throws Exception {
    // Like nginx: the header goes out in its own segment as soon as the upstream connects, and the
    // client's identification follows later.
    try (ServerSocket balancer = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread relay =
          new Thread(
              () -> {
                try (Socket client = balancer.accept();
                    Socket upstream = new Socket("127.0.0.1", behindBalancer.sshPort())) {
                  upstream
                      .getOutputStream()
                      .write(
                          "PROXY TCP4 203.0.113.9 127.0.0.1 50002 2222\r\n"
                              .getBytes(StandardCharsets.US_ASCII));
                  upstream.getOutputStream().flush();
                  Thread.sleep(100);
                  Thread back = new Thread(() -> pipe(upstream, client), "balancer-to-client");
                  back.start();
                  pipe(client, upstream);
                  back.join(20_000);
                } catch (Exception e) {
                  // the test's assertions tell what went wrong
                }
              },
              "balancer");
      relay.start();
      OpenSsh.Result r =
          OpenSsh.ssh(
              Duration.ofSeconds(20),
              null,
              "-F",
              "/dev/null",
              "-o",
              "BatchMode=yes",
              "-o",
              "StrictHostKeyChecking=no",
              "-o",
              "UserKnownHostsFile=/dev/null",
              "-o",
              "IdentitiesOnly=yes",
              "-o",
              "IdentityFile=/nonexistent/spoq-test-key",
              "-p",
              String.valueOf(balancer.getLocalPort()),
              "alice@127.0.0.1",
              "true");
      // key exchange and encryption worked; authentication fails closed (no registry here)
      assertThat(r.stderr()).contains("Permission denied").doesNotContain("message authentication");
      relay.join(20_000);
    }
  }

  private static void pipe(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (java.io.IOException e) {
      // one side closed
    } finally {
      try {
        to.shutdownOutput();
      } catch (java.io.IOException e) {
        // already closed
      }
    }
  }

  record Exchange(String text, boolean closed) {}

  /** Sends {@code header} and an SSH identification; reads for up to 3 s or until closed. */
  private static Exchange exchange(RunningRouter router, String header) throws Exception {
    try (Socket s = new Socket("127.0.0.1", router.sshPort())) {
      s.setSoTimeout(500);
      s.getOutputStream()
          .write((header + "SSH-2.0-ProxyTest\r\n").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      long deadline = System.nanoTime() + 3_000_000_000L;
      while (System.nanoTime() < deadline) {
        int n;
        try {
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          continue;
        } catch (java.net.SocketException e) {
          return new Exchange(got.toString(StandardCharsets.ISO_8859_1), true);
        }
        if (n < 0) {
          return new Exchange(got.toString(StandardCharsets.ISO_8859_1), true);
        }
        got.write(buf, 0, n);
      }
      return new Exchange(got.toString(StandardCharsets.ISO_8859_1), false);
    }
  }
}
