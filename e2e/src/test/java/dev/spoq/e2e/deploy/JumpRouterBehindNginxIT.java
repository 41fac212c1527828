package dev.spoq.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.e2e.harness.PostgresBridge;
import dev.spoq.e2e.harness.ServiceProcess;
import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: the shipped SSH balancer (deploy/proxy/stream.conf, {@code proxy_protocol on}) run by
 * the real nginx in front of two real jump-router replicas that trust it for the PROXY protocol
 * ({@code SPOQ_JUMP_SSH_PROXYPROTOCOL_TRUSTEDFROM}, as docker-compose.yml sets it). Real OpenSSH
 * clients on two addresses connect through it: a ban of one client's address (stored in the shared
 * table, as a replica would) refuses that client on both replicas, and the other client, behind the
 * same balancer, is unaffected. Without the PROXY protocol both would share the balancer's address
 * and both be refused (or neither).
 */
@Tag("deploy")
class JumpRouterBehindNginxIT {

  private static final String BANNED = "198.51.100.7";
  private static final String OTHER = "198.51.100.8";
  private static final String BALANCER_PUBLIC = "198.51.100.1";

  @TempDir Path tmp;
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    Exception first = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  @Test
  void aBanOnTheClientAddressHoldsThroughTheBalancerAndSparesOtherClients() throws Exception {
    NetworkNamespace lb = closeLater(NetworkNamespace.create("pplb"));
    NetworkNamespace backend = closeLater(NetworkNamespace.create("ppjump"));
    NetworkNamespace clients = closeLater(NetworkNamespace.create("ppcli"));
    Veth link = Veth.connect(lb, ShippedProxy.PROXY_ADDRESS + "/24", backend, null);
    backend.addAddress(link.nameB(), ShippedProxy.REPLICAS.get("jump-router-a") + "/24");
    backend.addAddress(link.nameB(), ShippedProxy.REPLICAS.get("jump-router-b") + "/24");
    Veth outside = Veth.connect(lb, BALANCER_PUBLIC + "/24", clients, BANNED + "/24");
    clients.addAddress(outside.nameB(), OTHER + "/24");

    PostgresBridge postgres = closeLater(new PostgresBridge(backend, tmp));
    Path keys = Files.createDirectories(tmp.resolve("jump-router"));
    List<ServiceProcess> routers = new ArrayList<>();
    int httpPort = 8084;
    for (String name : List.of("jump-router-a", "jump-router-b")) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("SERVER_PORT", String.valueOf(httpPort));
      env.put("SPRING_DATASOURCE_URL", postgres.jdbcUrl());
      env.put("SPRING_DATASOURCE_USERNAME", postgres.username());
      env.put("SPRING_DATASOURCE_PASSWORD", postgres.password());
      // No registry: key lookups fail closed, which is all an admitted client needs to see here.
      env.put("SPOQ_REGISTRY_BASEURL", "http://127.0.0.1:9");
      env.put("SPOQ_REGISTRY_SERVICETOKEN", "spoq_svc_unused");
      env.put("SPOQ_JUMP_SSH_BINDADDRESS", ShippedProxy.REPLICAS.get(name));
      env.put("SPOQ_JUMP_SSH_PORT", "2222");
      env.put("SPOQ_JUMP_SSH_HOSTKEYPATH", keys.resolve("ssh_host_ed25519_key").toString());
      env.put(
          "SPOQ_JUMP_UPSTREAM_CLIENTKEYPATH",
          keys.resolve(name + "_upstream_ed25519_key").toString());
      env.put("SPOQ_JUMP_SSH_PROXYPROTOCOL_TRUSTEDFROM", ShippedProxy.PROXY_ADDRESS + "/32");
      // One after the other: the first creates the host key both share (one volume in compose).
      ServiceProcess router =
          closeLater(
              ServiceProcess.start(
                  backend,
                  "jump-router",
                  name,
                  httpPort,
                  env,
                  Files.createDirectories(tmp.resolve("logs"))));
      router.awaitHealthy(Duration.ofSeconds(300));
      routers.add(router);
      httpPort++;
    }
    ShippedProxy proxy = closeLater(new ShippedProxy(lb, tmp.resolve("proxy")));
    proxy.start();

    // Before any ban both clients are admitted and reach authentication (which fails closed).
    String first = ssh(clients, OTHER);
    assertThat(first)
        .as(
            "%s%n--- jump-router-a ---%n%s%n--- jump-router-b ---%n%s",
            first, tail(routers.get(0).output()), tail(routers.get(1).output()))
        .contains("Permission denied");
    assertThat(ssh(clients, BANNED)).contains("Permission denied");

    try (var conn =
            DriverManager.getConnection(
                postgres.harnessJdbcUrl(), postgres.username(), postgres.password());
        var st =
            conn.prepareStatement(
                "insert into jump_router.ban (source_ip, username, scope, banned_until)"
                    + " values (?, '', 'address', now() + interval '10 minutes')")) {
      st.setString(1, BANNED);
      st.executeUpdate();
    }
    Thread.sleep(3000); // each replica reads the shared bans about once a second

    // Round robin over both replicas: every attempt of the banned client is refused for its own
    // address; every attempt of the other client is admitted.
    for (int i = 0; i < 4; i++) {
      assertThat(ssh(clients, BANNED)).contains("too many failed logins from your address");
    }
    for (int i = 0; i < 4; i++) {
      assertThat(ssh(clients, OTHER))
          .contains("Permission denied")
          .doesNotContain("too many failed logins");
    }
    String logs = routers.get(0).output() + routers.get(1).output();
    assertThat(logs).contains("refused a connection from " + BANNED);
    assertThat(logs).doesNotContain("refused a connection from " + ShippedProxy.PROXY_ADDRESS);
    assertThat(proxy.accessLog())
        .contains("upstream=" + ShippedProxy.REPLICAS.get("jump-router-a") + ":2222")
        .contains("upstream=" + ShippedProxy.REPLICAS.get("jump-router-b") + ":2222");
  }

  private static String tail(String text) {
    return text.length() <= 8000 ? text : text.substring(text.length() - 8000);
  }

  /** OpenSSH from one client address through the balancer; answers what ssh printed. */
  private static String ssh(NetworkNamespace clients, String from) {
    ExecResult r =
        clients.tryExec(
            "ssh",
            "-F",
            "/dev/null",
            "-b",
            from,
            "-p",
            "2222",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "ConnectTimeout=10",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityFile=/nonexistent/spoq-test-key",
            "alice@" + BALANCER_PUBLIC,
            "true");
    assertThat(r.ok()).as(r.output()).isFalse();
    return r.output();
  }
}
