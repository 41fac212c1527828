package dev.spoq.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.e2e.harness.ControlPlane;
import dev.spoq.e2e.harness.Frps;
import dev.spoq.e2e.harness.Http;
import dev.spoq.e2e.harness.RelayServer;
import dev.spoq.e2e.harness.Report;
import dev.spoq.e2e.harness.SshClient;
import dev.spoq.e2e.harness.Sshd;
import dev.spoq.e2e.harness.TlsProxy;
import dev.spoq.e2e.harness.Topology;
import dev.spoq.e2e.harness.Wait;
import dev.spoq.e2e.harness.WireGuardPeer;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.TestAbortedException;
import tools.jackson.databind.JsonNode;

/**
 * The end-to-end demonstration: every access path of the product, with real components, in a
 * simulated internet made of network namespaces. Each scenario is tagged so it can run alone
 * ({@code -Dgroups=cloud}); the shared world (namespaces, BIND, PostgreSQL, the four services) is
 * built once and always torn down.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InternetInABoxIT {

  private World world;
  private Home home;

  /** Alice's Jetson and phone, set up on first use (so any scenario can run alone). */
  private Home home() {
    if (home == null) {
      long t0 = System.nanoTime();
      home = Home.setUp(world);
      Report.note(
          "Jetson enrolled with spoq enroll, agent running, phone registered in "
              + (System.nanoTime() - t0) / 1_000_000
              + " ms");
    }
    return home;
  }

  @BeforeAll
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void buildTheInternet() {
    Report.start();
    long t0 = System.nanoTime();
    world = World.build();
    Report.note(
        "world built in "
            + (System.nanoTime() - t0) / 1_000_000
            + " ms (10 namespaces, BIND, PostgreSQL, 4 services from their exec jars; services healthy in "
            + world.controlPlane.lastStartup().toMillis()
            + " ms)");
    Report.note("real programs: " + World.toolVersions(world.net));
    Report.note("process logs and configs of this run: " + world.work);
  }

  @AfterAll
  void tearDown() {
    try {
      if (world != null) {
        world.close();
      }
    } finally {
      Report.write();
    }
  }

  @Test
  @Order(1)
  @Tag("direct")
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void phoneReachesTheJetsonDirectlyThroughTheUpnpMapping() throws Exception {
    Scenarios.run(
        "1",
        "Direct (UPnP + DDNS)",
        r -> {
          Home h = home();
          Topology net = world.net;
          Path privateKey = h.jetson.stateDir().resolve("wireguard/private.key");
          assertThat(Files.getPosixFilePermissions(privateKey))
              .isEqualTo(PosixFilePermissions.fromString("rw-------"));
          JsonNode registered = world.admin("GET", "/api/jetsons/" + h.jetsonId, null, 200);
          assertThat(registered.get("publicKey").asString()).isEqualTo(h.jetson.wgPublicKey());
          assertThat(registered.toString()).doesNotContain(Files.readString(privateKey).trim());
          r.proved(
              "Jetson enrolled with a one-time code from the registry API (spoq enroll); its private key"
                  + " stayed on the Jetson (mode 0600), the registry holds only the public key "
                  + h.jetsonPublicKey().substring(0, 8)
                  + "...");
          Wait.until(
              "miniupnpd to hold the agent's UDP mapping",
              Duration.ofSeconds(30),
              () -> h.upnp.mappings().contains("51820"));
          r.proved(
              "the agent mapped UDP 51820 on the home router through real miniupnpd (UPnP IGD)");
          Duration dnsTime =
              Wait.until(
                  h.fqdn() + " -> " + net.homeWanIp() + " in BIND",
                  Duration.ofSeconds(30),
                  () -> h.dnsAnswer().equals(List.of(net.homeWanIp())));
          r.proved(
              h.fqdn()
                  + " A "
                  + net.homeWanIp()
                  + " published by the agent through dns-api's RFC 2136 provider into BIND (seen "
                  + Report.ms(dnsTime)
                  + " after setup)");

          String rendered = h.clientConfig.get("config").asString();
          assertThat(rendered)
              .contains("Endpoint = " + h.fqdn() + ":51820")
              .contains(h.jetsonPublicKey())
              .doesNotContain(h.phoneWg.privateKeyForAssertion());
          r.proved(
              "the phone was added as a device with a key made on the phone; the registry's client"
                  + " config names "
                  + h.fqdn()
                  + ":51820 and leaves PrivateKey for the phone to fill in");
          Duration handshake = h.phoneReactivates(Duration.ofSeconds(30));
          String endpoint = h.phoneWg.endpoint(h.jetsonPublicKey());
          assertThat(endpoint).isEqualTo(net.homeWanIp() + ":51820");
          r.proved(
              "the phone behind carrier-grade NAT, configured once from that config text (private"
                  + " key filled in on the phone), switched the tunnel on: it resolved "
                  + h.clientConfig.get("endpoint").asString()
                  + " via BIND and completed a WireGuard handshake with "
                  + endpoint
                  + " in "
                  + Report.ms(handshake));

          String access = world.tlsProxy().accessLog();
          assertThat(access)
              .contains(Topology.HOME_WAN_IP + " - - ")
              .contains("POST /api/jetsons/enroll")
              .contains("POST /api/dns/update")
              .contains("GET /api/jetsons/self/peers");
          r.proved(
              "the agent reached the control plane only through the TLS proxy https://api.spoq.dev"
                  + " (enroll, peers, status, DNS update seen in nginx's log from "
                  + Topology.HOME_WAN_IP
                  + ")");
          SshClient.Run run = h.sshToJetson("echo user=$(id -un); ip -4 -o addr show");
          assertThat(run.ok()).as("ssh to the Jetson over WireGuard: %s", run.output()).isTrue();
          assertThat(run.output())
              .contains("user=" + Home.USER)
              .contains(Home.JETSON_WG_IP)
              .contains(Topology.JETSON_LAN_IP);
          r.proved(
              "ssh alice@10.100.0.1 ran a command on the Jetson (its addresses include "
                  + Topology.JETSON_LAN_IP
                  + ") in "
                  + Report.ms(run.elapsed()));
          r.path("direct " + endpoint + " (UPnP)").handshake(handshake).sshRoundTrip(run.elapsed());
        });
  }

  @Test
  @Order(5)
  @Tag("lockdown")
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void theJetsonOnlyAnswersSshOverWireGuardAndIgnoresUnknownKeys() throws Exception {
    Scenarios.run(
        "5",
        "Lockdown",
        r -> {
          Home h = home();
          Topology net = world.net;
          assertThat(h.firewallRules).contains("-p tcp --dport 22 -j DROP");
          String live = net.jetson.exec("iptables", "-w", "-S", "SPOQ-INPUT").output();
          assertThat(live).contains("-i " + h.jetson.wgInterface()).contains("--dport 22 -j DROP");
          r.proved(
              "the agent's generated firewall is loaded on the Jetson (SSH accepted only on "
                  + h.jetson.wgInterface()
                  + ")");

          String listeners = net.jetson.exec("ss", "-ltnH", "sport = :22").output();
          assertThat(listeners).contains(Home.JETSON_WG_IP + ":22").doesNotContain("0.0.0.0:22");
          // From the home LAN (the router's LAN side), the Jetson's LAN address: no SSH.
          var lan =
              net.home.tryExec(
                  "timeout",
                  "6",
                  "bash",
                  "-c",
                  "exec 3<>/dev/tcp/" + Topology.JETSON_LAN_IP + "/22");
          assertThat(lan.ok()).as("TCP 22 on the Jetson's LAN address must not connect").isFalse();
          SshClient lanClient = new SshClient(net.home, world.work, "lan-laptop");
          SshClient.Run lanSsh =
              lanClient.ssh(
                  List.of("-o", "ConnectTimeout=5"), "alice@" + Topology.JETSON_LAN_IP, "true");
          assertThat(lanSsh.ok()).isFalse();
          r.proved(
              "from the home LAN, ssh to the Jetson's LAN address "
                  + Topology.JETSON_LAN_IP
                  + ":22 gets no connection (firewall DROP; sshd listens only on 10.100.0.1)");

          // The same person over WireGuard is let in (the tunnel is the only way).
          h.phoneReactivates(Duration.ofSeconds(30));
          SshClient.Run overWg = h.sshToJetson("echo over-wireguard");
          assertThat(overWg.ok()).as(overWg.output()).isTrue();
          r.proved("the same SSH over wg0 (10.100.0.1) works: " + overWg.output().trim());

          // A WireGuard key the registry never saw: no handshake, not a single byte back.
          try (WireGuardPeer stranger = new WireGuardPeer(net.phone, world.work, "wgx")) {
            stranger.up("10.100.0.99/32", "10.100.0.1/32");
            stranger.peer(h.jetsonPublicKey(), h.fqdn() + ":51820", "10.100.0.1/32");
            for (int i = 0; i < 6; i++) {
              net.phone.tryExec("ping", "-c", "1", "-W", "1", "-I", stranger.iface(), "10.100.0.1");
            }
            assertThat(stranger.latestHandshake(h.jetsonPublicKey())).isZero();
            String transfer =
                net.phone.exec("wg", "show", stranger.iface(), "transfer").output().trim();
            assertThat(transfer).as("received bytes from the Jetson").matches(".*\\s0\\s+\\d+$");
            assertThat(net.jetson.exec("wg", "show", h.jetson.wgInterface(), "peers").output())
                .doesNotContain(stranger.publicKey());
            r.proved(
                "an unknown WireGuard key sent handshakes to "
                    + h.fqdn()
                    + ":51820 for 6 s and got no answer (wg transfer: "
                    + transfer.replaceAll("^\\S+\\s+", "rx ").replaceAll("\\s+(\\d+)$", ", tx $1")
                    + ")");
          }
          r.path("wg0 only (LAN and unknown key refused)").sshRoundTrip(overWg.elapsed());
        });
  }

  @Test
  @Order(2)
  @Tag("ip-change")
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void theJetsonFollowsANewHomeAddressAndThePhoneReconnects() throws Exception {
    Scenarios.run(
        "2",
        "IP change",
        r -> {
          Home h = home();
          Topology net = world.net;
          h.phoneReactivates(Duration.ofSeconds(30));
          String before = net.homeWanIp();
          long t0 = System.nanoTime();
          net.changeHomeWanAddress();
          String after = net.homeWanIp();
          r.proved(
              "the ISP moved the home router from "
                  + before
                  + " to "
                  + after
                  + " (old address gone)");

          Duration dnsLag =
              Wait.until(
                  h.fqdn() + " -> " + after,
                  Duration.ofSeconds(60),
                  () -> h.dnsAnswer().equals(List.of(after)));
          r.proved(
              "the agent noticed the new public address and dns-api updated BIND: "
                  + h.fqdn()
                  + " A "
                  + after
                  + " after "
                  + Report.ms(dnsLag));

          // The user switches the tunnel on again (the app resolves the name only then). The
          // config is the one installed at setup, unchanged.
          int[] activations = {0};
          Duration handshake =
              Wait.until(
                  "a handshake at " + after + " after re-activation",
                  Duration.ofSeconds(60),
                  () -> {
                    activations[0]++;
                    h.phoneReactivates(Duration.ofSeconds(10));
                    return h.phoneEndpoint().equals(after + ":51820");
                  });
          Duration recovery = Duration.ofNanos(System.nanoTime() - t0);
          r.proved(
              "the phone's unchanged config was re-activated ("
                  + activations[0]
                  + " activation(s)); it resolved "
                  + h.fqdn()
                  + " again and now sends to "
                  + h.phoneEndpoint());
          SshClient.Run run = h.sshToJetson("echo still-alice-jetson");
          assertThat(run.ok()).as(run.output()).isTrue();
          r.proved(
              "the phone's next handshake succeeded at "
                  + after
                  + ":51820 and SSH works again; time to recovery "
                  + Report.ms(recovery)
                  + " (DNS "
                  + Report.ms(dnsLag)
                  + " + reconnect "
                  + Report.ms(handshake)
                  + ")");
          Report.note(
              "scenario 2 time to recovery after the WAN address change: " + Report.ms(recovery));
          r.path("direct, new address " + after + ":51820")
              .handshake(handshake)
              .sshRoundTrip(run.elapsed());
        });
  }

  @Test
  @Order(3)
  @Tag("relay")
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void withoutUpnpTheConnectAnswerPointsAtTheRelay() throws Exception {
    Scenarios.run("3", "Relay fallback (frp, connect-answer client)", r -> relayScenario(r));
  }

  @Test
  @Order(6)
  @Tag("control-plane-down")
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void wireGuardKeepsWorkingWithoutTheControlPlaneAndReportsArriveLater() throws Exception {
    Scenarios.run(
        "6",
        "Control plane down",
        r -> {
          Home h = home();
          ControlPlane cp = world.controlPlane;
          h.phoneReactivates(Duration.ofSeconds(30));
          Wait.until(
              "the agent's outbox to be empty",
              Duration.ofSeconds(20),
              () -> h.jetson.queuedReports() == 0);
          cp.stop();
          Instant stoppedAt = Instant.now();
          assertThat(cp.running()).isFalse();
          assertThat(
                  world
                      .net
                      .jetson
                      .tryExec(
                          "curl", "-s", "--max-time", "3", cp.registryUrl() + "/actuator/health")
                      .ok())
              .isFalse();
          r.proved("all four services stopped (the registry no longer answers)");

          SshClient.Run during = h.sshToJetson("echo works-without-control-plane");
          assertThat(during.ok()).as(during.output()).isTrue();
          Duration freshHandshake = h.phoneReactivates(Duration.ofSeconds(30));
          SshClient.Run afterReconnect = h.sshToJetson("echo reconnected-without-control-plane");
          assertThat(afterReconnect.ok()).as(afterReconnect.output()).isTrue();
          r.proved(
              "with the control plane down, the phone's WireGuard kept working (SSH in "
                  + Report.ms(during.elapsed())
                  + "), and even a brand-new session handshook in "
                  + Report.ms(freshHandshake));

          Wait.until(
              "the agent to queue status reports",
              Duration.ofSeconds(30),
              () -> h.jetson.queuedReports() >= 2);
          int queued = h.jetson.queuedReports();
          r.proved(
              "the agent queued " + queued + " status reports on disk while the registry was away");

          cp.start();
          Instant restartedAt = Instant.now();
          r.proved("control plane restarted in " + Report.ms(cp.lastStartup()));
          // nginx rested the upstreams it saw failing; it routes again after its fail_timeout.
          String probe = "https://api." + World.DOMAIN + "/api/connect/" + Home.USER;
          List<String> tls = List.of("--cacert", world.tlsProxy().caCertificate().toString());
          Duration routed =
              Wait.until(
                  "the TLS proxy to route to the restarted services",
                  Duration.ofSeconds(60),
                  () -> Http.call(world.net.phone, "GET", probe, null, null, tls).status() != 502);
          r.proved(
              "the TLS proxy routed to the restarted services again after " + Report.ms(routed));
          Duration drain =
              Wait.until(
                  "the agent's queued reports to be accepted",
                  Duration.ofSeconds(60),
                  () -> h.jetson.queuedReports() == 0);
          JsonNode status = world.admin("GET", "/api/jetsons/" + h.jetsonId + "/status", null, 200);
          Instant receivedAt = Instant.parse(status.get("receivedAt").asString());
          // The registry was down from stoppedAt until it came back (it can be healthy, and take
          // the agent's queue, before the other services are): received after the stop means
          // received after its restart.
          assertThat(receivedAt).isAfter(stoppedAt);
          assertThat(status.get("report").get("wireguard").toString())
              .contains(h.phoneWg.publicKey());
          r.proved(
              "after the restart the outbox drained in "
                  + Report.ms(drain)
                  + " (a report leaves the queue only once the registry accepted it); the registry's last status was received "
                  + receivedAt
                  + " and lists the phone's peer (down for "
                  + Duration.between(stoppedAt, restartedAt).toSeconds()
                  + " s)");
          r.path("direct, control plane down")
              .handshake(freshHandshake)
              .sshRoundTrip(during.elapsed());
        });
  }

  @Test
  @Order(4)
  @Tag("cloud")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void cloudUsersReachOnlyTheirOwnContainerThroughTheJumpRouter() throws Exception {
    Scenarios.run(
        "4",
        "Cloud (jump router)",
        r -> {
          Tenants t = tenants();
          SshClient carol = t.carol();
          SshClient bob = t.bob();
          Sshd bobBox = t.bobBox();

          String jump = "carol@ssh." + World.DOMAIN + ":" + ControlPlane.JUMP_SSH_PORT;
          String probe = "echo user=$(id -un); ip -4 -o addr show scope global";

          SshClient.Run proxyJump = carol.ssh(List.of("-J", jump), "carol@container-carol", probe);
          assertThat(proxyJump.ok())
              .as("ssh -J into carol's container: %s", proxyJump.output())
              .isTrue();
          assertThat(proxyJump.output())
              .contains("user=carol")
              .contains(Topology.CAROL_CONTAINER_IP);
          r.proved(
              "ssh -J carol@ssh.spoq.dev:2222 carol@container-carol ran a command in carol's container"
                  + " at "
                  + Topology.CAROL_CONTAINER_IP
                  + " ("
                  + Report.ms(proxyJump.elapsed())
                  + ", end-to-end encrypted to the container)");

          SshClient.Run direct =
              carol.ssh(
                  List.of("-p", String.valueOf(ControlPlane.JUMP_SSH_PORT)),
                  "carol@ssh." + World.DOMAIN,
                  probe);
          assertThat(direct.ok()).as("ssh carol@router: %s", direct.output()).isTrue();
          assertThat(direct.output()).contains("user=carol").contains(Topology.CAROL_CONTAINER_IP);
          r.proved(
              "ssh carol@ssh.spoq.dev landed in carol's container through the router's upstream key ("
                  + Report.ms(direct.elapsed())
                  + ")");

          SshClient.Run crossTenant =
              carol.ssh(
                  List.of("-J", jump), "bob@" + Topology.BOB_CONTAINER_IP, "echo reached-bob");
          assertThat(crossTenant.ok()).isFalse();
          assertThat(crossTenant.output()).doesNotContain("reached-bob");
          SshClient.Run crossTenantByAddress =
              carol.ssh(
                  List.of("-J", jump), "carol@" + Topology.BOB_CONTAINER_IP, "echo reached-bob");
          assertThat(crossTenantByAddress.ok()).isFalse();
          assertThat(bobBox.log()).doesNotContain("Accepted publickey");
          r.proved(
              "carol -> bob's container refused, by name (container-bob) and by address ("
                  + Topology.BOB_CONTAINER_IP
                  + "); bob's sshd never saw a login");

          SshClient.Run bobDirect =
              bob.ssh(
                  List.of("-p", String.valueOf(ControlPlane.JUMP_SSH_PORT)),
                  "bob@ssh." + World.DOMAIN,
                  "echo user=$(id -un)");
          assertThat(bobDirect.ok()).as(bobDirect.output()).isTrue();
          assertThat(bobDirect.output()).contains("user=bob");
          SshClient.Run bobAsCarol =
              bob.ssh(
                  List.of("-p", String.valueOf(ControlPlane.JUMP_SSH_PORT)),
                  "carol@ssh." + World.DOMAIN,
                  "echo user=$(id -un)");
          assertThat(bobAsCarol.ok()).as("bob's key must not log in as carol").isFalse();
          r.proved("bob reaches his own container; bob's key is refused for carol");
          r.path("jump router :2222 -> container").sshRoundTrip(proxyJump.elapsed());
        });
  }

  @Test
  @Order(7)
  @Tag("proxy")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void thePublicApiIsServedOnlyThroughTheTlsProxy() throws Exception {
    Scenarios.run(
        "7",
        "TLS proxy (nginx)",
        r -> {
          Home h = home();
          Topology net = world.net;
          TlsProxy proxy = world.tlsProxy();
          String host = "api." + World.DOMAIN;
          String https = "https://" + host;
          List<String> trust = List.of("--cacert", proxy.caCertificate().toString());
          r.proved(
              "nginx runs the shipped deploy/proxy/spoq.conf.template (nginx -t accepted it) for "
                  + host
                  + " in the cloud");

          var plain =
              net.phone.exec(
                  "curl",
                  "-sS",
                  "-o",
                  "/dev/null",
                  "-w",
                  "%{http_code} %{redirect_url}",
                  "http://" + host + "/api/connect/alice");
          assertThat(plain.output().trim()).isEqualTo("301 " + https + "/api/connect/alice");
          var untrusted =
              net.phone.tryExec("curl", "-sS", "-o", "/dev/null", https + "/api/accounts");
          assertThat(untrusted.ok())
              .as("a certificate nobody vouched for must be refused")
              .isFalse();
          r.proved(
              "plain HTTP is redirected to HTTPS; curl refuses the server without the CA (real TLS)");

          String aliceKey = world.accountKey(Home.USER);
          long t0 = System.nanoTime();
          Http.Response account =
              Http.call(
                      net.phone, "GET", https + "/api/accounts/" + Home.USER, aliceKey, null, trust)
                  .expect(200);
          Duration apiRtt = Duration.ofNanos(System.nanoTime() - t0);
          assertThat(account.json().get("username").asString()).isEqualTo(Home.USER);
          Http.call(net.phone, "GET", https + "/api/connect/" + Home.USER, aliceKey, null, trust)
              .expect(200);
          r.proved(
              "from the phone over TLS: the registry (/api/accounts) and the connect decision"
                  + " (/api/connect) answer alice's own key ("
                  + Report.ms(apiRtt)
                  + ")");

          for (String hidden :
              List.of(
                  "/internal/v1/jetsons/by-subdomain/alice",
                  "/actuator/health",
                  "/actuator/prometheus",
                  "/frps-plugin/x/relay-us-1/handler")) {
            Http.Response answer =
                Http.call(net.phone, "GET", https + hidden, aliceKey, null, trust);
            assertThat(answer.status()).as(hidden).isEqualTo(404);
            assertThat(answer.body())
                .as(hidden + " answered by the proxy, not a service")
                .contains("<html>");
          }
          r.proved(
              "/internal/, /actuator and /frps-plugin/ stop at the proxy (404), never reaching a service");

          // The agent's DNS update through the proxy: dns-api publishes the caller's address,
          // which it learns from the proxy's X-Forwarded-For (a client-sent one is overwritten).
          String deviceToken = Files.readString(h.jetson.stateDir().resolve("device.token")).trim();
          Http.Response update =
              Http.call(
                      net.jetson,
                      "POST",
                      https + "/api/dns/update",
                      deviceToken,
                      Map.of("subdomain", Home.USER),
                      List.of(
                          "--cacert",
                          proxy.caCertificate().toString(),
                          "-H",
                          "X-Forwarded-For: 8.8.8.8"))
                  .expect(200);
          assertThat(update.json().get("points_to").asString()).isEqualTo(net.homeWanIp());
          r.proved(
              "a DNS update from the Jetson through the proxy published its public address "
                  + net.homeWanIp()
                  + " (the spoofed X-Forwarded-For 8.8.8.8 was replaced by the proxy)");
          r.path("https://" + host + " (nginx) -> services");
        });
  }

  /** carol's and bob's containers, keys and routes (Cloud product), set up on first use. */
  private record Tenants(SshClient carol, SshClient bob, Sshd carolBox, Sshd bobBox) {}

  private Tenants tenants;

  private Tenants tenants() {
    if (tenants != null) {
      return tenants;
    }
    Topology net = world.net;
    world.createAccount("carol", "CLOUD");
    world.createAccount("bob", "CLOUD");
    SshClient carol = new SshClient(net.phone, world.work, "carol");
    SshClient bob = new SshClient(net.phone, world.work, "bob");
    world.admin(
        "POST", "/api/accounts/carol/ssh-keys", Map.of("publicKey", carol.publicKey()), 201);
    world.admin("POST", "/api/accounts/bob/ssh-keys", Map.of("publicKey", bob.publicKey()), 201);

    String upstreamKey = readString(Path.of(world.controlPlane.jumpUpstreamKey() + ".pub")).trim();
    Sshd carolBox = net.own(new Sshd(net.carolContainer, world.work, "carol", 20001));
    carolBox.authorize(carol.publicKey()).authorize(upstreamKey);
    carolBox.start(Topology.CAROL_CONTAINER_IP, "");
    Sshd bobBox = net.own(new Sshd(net.bobContainer, world.work, "bob", 20002));
    bobBox.authorize(bob.publicKey()).authorize(upstreamKey);
    bobBox.start(Topology.BOB_CONTAINER_IP, "");
    world.admin(
        "PUT",
        "/api/accounts/carol/container-route",
        Map.of(
            "host", Topology.CAROL_CONTAINER_IP, "port", 22, "hostKey", carolBox.hostPublicKey()),
        200);
    world.admin(
        "PUT",
        "/api/accounts/bob/container-route",
        Map.of("host", Topology.BOB_CONTAINER_IP, "port", 22, "hostKey", bobBox.hostPublicKey()),
        200);
    tenants = new Tenants(carol, bob, carolBox, bobBox);
    return tenants;
  }

  private static String readString(Path file) {
    try {
      return Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  @Order(8)
  @Tag("stock-client")
  @Timeout(value = 480, unit = TimeUnit.SECONDS)
  void aStockClientConfiguredOnceFollowsTheJetsonOverTheRelayAndBack() throws Exception {
    Scenarios.run("8", "Stock client (relay-server)", this::stockClientScenario);
  }

  /**
   * Issue 10's "stock client": the phone keeps the config it installed at setup and is only ever
   * switched on again. The agent runs with the shipped intervals of deploy/agent/agent.toml (only
   * the places of this simulated internet are set), so the times below are what a user gets.
   */
  private void stockClientScenario(Report.Entry r) {
    Home h = home();
    Topology net = world.net;
    RelayServer relay = world.relayServer();
    r.proved(
        "relay-server runs on the relay host ("
            + Topology.RELAY_IP
            + ":"
            + RelayServer.WG_PORT
            + " for WireGuard clients, :"
            + RelayServer.AGENT_PORT
            + " for agent sessions), registered with the coordinator as spoq relay "
            + World.SPOQ_RELAY_ID
            + " and serving its Jetson set with its own relay token");
    for (String drained : world.drainedFrpRelays()) {
      r.proved(
          "frp relay " + drained + " drained, so the Jetson's assignment moves to relay-server");
    }
    // The assignment the agent will fetch at its start names relay-server.
    JsonNode[] assignment = new JsonNode[1];
    Wait.until(
        "the coordinator to assign alice's Jetson to " + World.SPOQ_RELAY_ID,
        Duration.ofSeconds(60),
        () -> {
          Http.Response a = h.relayAssignment();
          assignment[0] = a.status() == 200 ? a.json() : null;
          return assignment[0] != null && "spoq".equals(assignment[0].path("kind").asString());
        });
    r.proved(
        "the coordinator's assignment for the Jetson is kind spoq, relay "
            + assignment[0].path("relay"));
    h.jetson.stop();
    h.jetson.useSettings(Home.placeSettings()).start();
    String shipped = ShippedIntervals.describe();
    r.proved("the agent restarted with the shipped intervals (" + shipped + ")");
    String homeAddress = net.homeWanIp();
    try {
      Wait.until(
          "the agent's relay-server session to be up",
          Duration.ofSeconds(60),
          () ->
              h.jetson
                  .status()
                  .path("relay")
                  .path("session")
                  .path("state")
                  .asString()
                  .equals("up"));
      r.proved(
          "the agent holds its relay-server session (warm, while still direct): "
              + h.jetson.status().path("relay").path("session"));
      Wait.until(
          "the agent on the direct path with its UPnP mapping and "
              + h.fqdn()
              + " -> "
              + homeAddress,
          Duration.ofSeconds(90),
          () ->
              h.upnp.mappings().contains("51820")
                  && "direct".equals(h.jetson.status().path("path").asString())
                  && h.dnsAnswer().equals(List.of(homeAddress)));

      // 1. Direct through UPnP.
      Duration handshake = h.phoneReactivates(Duration.ofSeconds(30));
      assertThat(h.phoneEndpoint()).isEqualTo(homeAddress + ":51820");
      SshClient.Run ssh = h.sshToJetson("echo step-1-direct");
      assertThat(ssh.ok()).as(ssh.output()).isTrue();
      r.step("1 phone activated, handshake direct", "direct " + h.phoneEndpoint(), handshake);
      r.step("1 ssh alice@10.100.0.1", "direct " + h.phoneEndpoint(), ssh.elapsed());

      // 2. UPnP goes away: the agent moves to the relay and DNS follows it.
      long t0 = System.nanoTime();
      h.upnp.stop();
      Duration toRelay =
          Wait.until(
              h.fqdn() + " -> the relay " + Topology.RELAY_IP,
              Duration.ofSeconds(150),
              () -> h.dnsAnswer().equals(List.of(Topology.RELAY_IP)));
      assertThat(h.jetson.status().path("path").asString()).isEqualTo("relay");
      r.step("2 UPnP gone -> DNS names the relay (shipped intervals)", "-", toRelay);
      r.proved(
          "UPnP went away; with the shipped intervals ("
              + shipped
              + ") the agent moved to its relay-server session and "
              + h.fqdn()
              + " A "
              + Topology.RELAY_IP
              + " was in BIND "
              + Report.ms(toRelay)
              + " later");
      Report.note(
          "stock client: DNS named the relay " + Report.ms(toRelay) + " after UPnP went away");
      handshake = h.phoneReactivates(Duration.ofSeconds(30));
      assertThat(h.phoneEndpoint()).isEqualTo(Topology.RELAY_IP + ":" + RelayServer.WG_PORT);
      ssh = h.sshToJetson("echo step-2-relay");
      assertThat(ssh.ok())
          .as("ssh through the relay, exit %s: %s", ssh.exitCode(), ssh.output())
          .isTrue();
      String relayPath = "relay-server " + h.phoneEndpoint();
      r.step("2 phone re-activated, handshake through the relay", relayPath, handshake);
      r.step("2 ssh alice@10.100.0.1", relayPath, ssh.elapsed());
      r.proved(
          "the phone, re-activated with its unchanged config, resolved "
              + h.fqdn()
              + " to the relay and handshook through relay-server in "
              + Report.ms(handshake)
              + "; SSH works ("
              + Report.ms(ssh.elapsed())
              + ")");
      Duration sinceLoss = Duration.ofNanos(System.nanoTime() - t0);
      r.step("2 total: UPnP gone -> SSH through the relay", relayPath, sinceLoss);

      // 3. The home address changes while on the relay: no re-activation, the relay follows.
      String oldHome = net.homeWanIp();
      long t1 = System.nanoTime();
      net.changeHomeWanAddress();
      String newHome = net.homeWanIp();
      Duration gap =
          Wait.until(
              "traffic through the tunnel again without re-activation",
              Duration.ofSeconds(90),
              () -> net.phone.tryExec("ping", "-c", "1", "-W", "1", Home.JETSON_WG_IP).ok());
      ssh = h.sshToJetson("echo step-3-relay-followed");
      assertThat(ssh.ok()).as(ssh.output()).isTrue();
      assertThat(h.phoneEndpoint()).isEqualTo(Topology.RELAY_IP + ":" + RelayServer.WG_PORT);
      assertThat(h.dnsAnswer()).isEqualTo(List.of(Topology.RELAY_IP));
      r.step("3 home WAN " + oldHome + " -> " + newHome + ", no re-activation", relayPath, gap);
      r.step("3 ssh alice@10.100.0.1", relayPath, ssh.elapsed());
      r.proved(
          "the ISP moved the home router from "
              + oldHome
              + " to "
              + newHome
              + " while the Jetson was on the relay; the phone was NOT re-activated, and traffic"
              + " flowed again "
              + Report.ms(gap)
              + " later, because the relay session followed the agent's new address; "
              + h.fqdn()
              + " still names the relay");

      // 4. UPnP comes back: failback with hysteresis, DNS names the home address again.
      long t2 = System.nanoTime();
      h.upnp.start();
      Duration back =
          Wait.until(
              h.fqdn() + " -> the home address " + newHome,
              Duration.ofSeconds(180),
              () -> h.dnsAnswer().equals(List.of(newHome)));
      assertThat(h.jetson.status().path("path").asString()).isEqualTo("direct");
      r.step("4 UPnP back -> failback, DNS names the home address", "-", back);
      handshake = h.phoneReactivates(Duration.ofSeconds(30));
      assertThat(h.phoneEndpoint()).isEqualTo(newHome + ":51820");
      ssh = h.sshToJetson("echo step-4-direct-again");
      assertThat(ssh.ok()).as(ssh.output()).isTrue();
      r.step("4 phone re-activated, handshake direct", "direct " + h.phoneEndpoint(), handshake);
      r.step("4 ssh alice@10.100.0.1", "direct " + h.phoneEndpoint(), ssh.elapsed());
      r.proved(
          "UPnP came back; the agent failed back after its hysteresis and "
              + h.fqdn()
              + " A "
              + newHome
              + " was in BIND "
              + Report.ms(back)
              + " later; after re-activation the phone is direct again at "
              + h.phoneEndpoint()
              + " (handshake "
              + Report.ms(handshake)
              + ")");
      Duration failbackTotal = Duration.ofNanos(System.nanoTime() - t2);
      r.step("4 total: UPnP back -> SSH direct", "direct " + h.phoneEndpoint(), failbackTotal);
      r.path("direct -> relay-server -> direct").handshake(handshake).sshRoundTrip(ssh.elapsed());
      Duration t1Total = Duration.ofNanos(t2 - t1);
      Report.note("stock client: on the relay across a WAN change for " + Report.ms(t1Total));
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\nthrough the tunnel now: "
              + tunnelProbe(net, h)
              + "\nrelay-server drop counters: "
              + net.relay
                  .tryExec(
                      "bash",
                      "-c",
                      "curl -s 127.0.0.1:"
                          + RelayServer.HTTP_PORT
                          + "/actuator/prometheus | grep -i drop | grep -v '^#' | grep -v ' 0.0$'")
                  .output()
              + "\nagent status: "
              + safeStatus(h)
              + "\nrelay-server alive: "
              + relay.isAlive()
              + "\nrelay-server log tail:\n"
              + relay.log(),
          e);
    } finally {
      if (!h.upnp.running()) {
        h.upnp.start();
      }
    }
  }

  /** Small and full-size pings to the Jetson through the phone's tunnel, for a failure message. */
  private static String tunnelProbe(Topology net, Home h) {
    StringBuilder out = new StringBuilder();
    for (String size : List.of("56", "1000", "1300", "1392")) {
      String before = jetsonTransfer(net, h);
      boolean ok =
          net.phone.tryExec("ping", "-c", "2", "-W", "2", "-s", size, Home.JETSON_WG_IP).ok();
      out.append("ping -s ")
          .append(size)
          .append(ok ? " ok" : " LOST")
          .append(" (Jetson wg rx/tx ")
          .append(before)
          .append(" -> ")
          .append(jetsonTransfer(net, h))
          .append("); ");
    }
    return out.toString();
  }

  private static String jetsonTransfer(Topology net, Home h) {
    String out = net.jetson.tryExec("wg", "show", h.jetson.wgInterface(), "transfer").output();
    String[] parts = out.trim().split("\\s+");
    return parts.length >= 3 ? parts[1] + "/" + parts[2] : out.trim();
  }

  private static String safeStatus(Home h) {
    try {
      return h.jetson.status().toString();
    } catch (RuntimeException e) {
      return "(unavailable: " + e.getMessage() + ")";
    }
  }

  @Test
  @Order(9)
  @Tag("replica-loss")
  @Timeout(value = 2400, unit = TimeUnit.SECONDS)
  void theControlPlaneLosesAndRestartsReplicasWithoutLosingWork() throws Exception {
    Scenarios.run("9", "Replica loss", this::replicaLossScenario);
  }

  /**
   * Issue 11's "replica loss": two replicas of every service behind the deployment's nginx; the
   * real agent and a small load driver keep working and an SSH session is held through the jump
   * router while one replica of each service is killed with SIGKILL, and then every replica is
   * restarted one at a time.
   */
  private void replicaLossScenario(Report.Entry r) throws Exception {
    Home h = home();
    Tenants t = tenants();
    Topology net = world.net;
    ControlPlane cp = world.controlPlane;
    long t0 = System.nanoTime();
    world.replicateControlPlane();
    r.step(
        "control plane moved to 2 replicas of each service",
        "nginx -> rep-a/rep-b",
        Duration.ofNanos(System.nanoTime() - t0));
    r.proved(
        "every service runs twice (device-registry-a/-b, dns-api-a/-b, relay-coordinator-a/-b,"
            + " jump-router-a/-b on two cloud hosts "
            + String.join(", ", Topology.REPLICA_IPS)
            + ") behind the shipped nginx balancer (deploy/proxy: spoq.conf.template, internal.conf,"
            + " stream.conf) on the cloud host");

    // The real agent, with short intervals, talks only to the balanced API.
    h.jetson.stop();
    h.jetson.useSettings(Home.fastSettings()).start();
    Wait.until(
        "the agent's first status report through the replicas",
        Duration.ofSeconds(60),
        () -> h.jetson.queuedReports() == 0 && statusAge(h) < 10);

    // The agent's relay-server session (held warm while direct) must outlive all of it.
    world.relayServer();
    Wait.until(
        "the agent's relay-server session to be up",
        Duration.ofSeconds(60),
        () -> relaySession(h).path("state").asString().equals("up"));
    String sessionUpSince = relaySession(h).path("up_since").asString();

    // A second Jetson's token drives the bounded load.
    TlsProxy proxy = world.tlsProxy();
    String api = "https://api." + World.DOMAIN;
    List<String> tls = List.of("--cacert", proxy.caCertificate().toString());
    world.createAccount("dave", "JETSON");
    String code =
        world
            .admin("POST", "/api/accounts/dave/enrollment-codes", null, 201)
            .get("code")
            .asString();
    String davePublicKey = new WireGuardPeer(net.phone, world.work, "wgd").publicKey();
    JsonNode enrolled =
        Http.call(
                net.phone,
                "POST",
                api + "/api/jetsons/enroll",
                null,
                Map.of("code", code, "publicKey", davePublicKey, "hostname", "dave-jetson"),
                tls)
            .json();
    String daveToken = enrolled.get("deviceToken").asString();
    String daveId = enrolled.get("jetsonId").asString();

    // carol's SSH session held through the jump router, and a prober making new connections.
    Path sessionLog = world.work.resolve("logs/ssh-session-carol.log");
    String jumpHost = "carol@ssh." + World.DOMAIN;
    List<String> jumpPort = List.of("-p", String.valueOf(ControlPlane.JUMP_SSH_PORT));
    var session =
        t.carol()
            .session(jumpPort, jumpHost, "while true; do echo tick; sleep 1; done", sessionLog);
    Wait.until("carol's session to tick", Duration.ofSeconds(30), () -> ticks(sessionLog) > 0);
    int holder = jumpReplicaHolding(cp);
    SshProber prober = new SshProber(t.carol(), jumpPort, jumpHost);
    r.proved(
        "carol's SSH session runs through the stream balancer on jump-router-"
            + (char) ('a' + holder)
            + "; a prober opens a new SSH connection every 2 s");

    try (LoadDriver load =
            new LoadDriver(net.phone, api, proxy.caCertificate(), daveToken, "dave").start();
        prober) {
      prober.start();
      Wait.sleep(10_000);

      // kill -9 one replica of each service (for the jump router: the one without the session).
      long k0 = System.nanoTime();
      List<String> killed = new ArrayList<>();
      for (String module : ControlPlane.MODULES) {
        int victim = module.equals("jump-router") ? 1 - holder : 0;
        cp.replica(module, victim).kill9();
        killed.add(module + "-" + (char) ('a' + victim));
      }
      r.step("kill -9 " + String.join(", ", killed), "survivors only", elapsed(k0));
      Wait.sleep(20_000);
      int ticksAfterKill = ticks(sessionLog);
      assertThat(session.isAlive()).as("carol's SSH session after the kills").isTrue();
      long s0 = System.nanoTime();
      List<java.util.concurrent.CompletableFuture<?>> starting = new ArrayList<>();
      for (String module : ControlPlane.MODULES) {
        int victim = module.equals("jump-router") ? 1 - holder : 0;
        starting.add(
            java.util.concurrent.CompletableFuture.runAsync(() -> cp.startReplica(module, victim)));
      }
      java.util.concurrent.CompletableFuture.allOf(
              starting.toArray(java.util.concurrent.CompletableFuture[]::new))
          .join();
      r.step("killed replicas started again, healthy", "both replicas", elapsed(s0));
      // nginx rests a replica it saw failing for fail_timeout; an operator (and this test) waits
      // that long before taking the next replica down.
      Duration rest = balancerFailTimeout();
      Wait.sleep(rest.toMillis());
      r.proved(
          "after kill -9 of "
              + String.join(", ", killed)
              + " the agent, the load and new SSH connections went on through the survivors;"
              + " carol's session on jump-router-"
              + (char) ('a' + holder)
              + " kept ticking ("
              + ticksAfterKill
              + " ticks so far)");

      // Rolling restart: one replica at a time, the session's jump router last.
      long r0 = System.nanoTime();
      Integer sessionEndedAtTick = null;
      for (String module : ControlPlane.MODULES) {
        List<Integer> order =
            module.equals("jump-router") ? List.of(1 - holder, holder) : List.of(0, 1);
        for (int index : order) {
          long one = System.nanoTime();
          if (module.equals("jump-router") && index == holder) {
            assertThat(session.isAlive())
                .as("carol's session until its own replica restarts")
                .isTrue();
            sessionEndedAtTick = ticks(sessionLog);
          }
          cp.restartReplica(module, index);
          r.step(
              "rolling restart " + module + "-" + (char) ('a' + index),
              "other replica",
              elapsed(one));
          Wait.sleep(rest.toMillis());
        }
      }
      r.step("rolling restart of all 8 (each + fail_timeout)", "-", elapsed(r0));
      Wait.sleep(5_000);
      load.close();
      prober.close();

      assertThat(load.failures()).as("load operations failed after retries").isEmpty();
      assertThat(prober.failures()).as("new SSH connections that failed").isEmpty();
      r.proved("load driver: " + load.summary() + " (after retries: 4 attempts, 1 s apart)");
      r.proved("new SSH connections through the balancer: " + prober.summary());

      // Nothing lost: the last acknowledged status report and DNS update are what is stored.
      long lastStatus = load.counters.get("status").lastAcknowledged.get();
      JsonNode daveStatus = world.admin("GET", "/api/jetsons/" + daveId + "/status", null, 200);
      assertThat(daveStatus.path("report").path("agent").path("uptime_seconds").asLong())
          .isEqualTo(lastStatus);
      long lastDns = load.counters.get("dns").lastAcknowledged.get();
      String expected = LoadDriver.addressFor(lastDns);
      Duration dnsSettled =
          Wait.until(
              "dave." + World.DOMAIN + " -> " + expected,
              Duration.ofSeconds(30),
              () ->
                  dev.spoq.e2e.harness.Bind.lookup(
                          net.phone, Topology.DNS_IP, "dave." + World.DOMAIN)
                      .equals(List.of(expected)));
      r.proved(
          "no status report or DNS update lost: the registry holds dave's last acknowledged report"
              + " (#"
              + lastStatus
              + ") and BIND answers dave."
              + World.DOMAIN
              + " A "
              + expected
              + " (the last acknowledged update, "
              + Report.ms(dnsSettled)
              + " after the load stopped)");

      // The real agent: its queue drained, its last report is fresh, nothing left pending.
      Wait.until(
          "the agent's outbox to drain",
          Duration.ofSeconds(30),
          () -> h.jetson.queuedReports() == 0);
      assertThat(statusAge(h)).isLessThan(10);
      r.proved(
          "the real agent kept polling and reporting through it all: outbox empty, last report "
              + statusAge(h)
              + " s old");
      JsonNode sessionAfter = relaySession(h);
      assertThat(sessionAfter.path("state").asString()).isEqualTo("up");
      assertThat(sessionAfter.path("up_since").asString())
          .as("the agent's relay session was never re-established")
          .isEqualTo(sessionUpSince);
      r.proved(
          "no relay session dropped: the agent's relay-server session is up since "
              + sessionUpSince
              + ", unchanged through the kills and restarts");
      r.proved(
          "carol's session lived through the kills and the other replica's restart ("
              + sessionEndedAtTick
              + " ticks) and ended only when its own jump-router replica was restarted"
              + (session.isAlive() ? " (it is even still alive)" : ""));
      r.path("nginx -> 2 replicas each");
    } finally {
      session.close();
    }
  }

  /**
   * The longest {@code fail_timeout} of the shipped balancer config (+2 s): how long nginx keeps a
   * replica it saw failing out of rotation after it is back.
   */
  private static Duration balancerFailTimeout() {
    long seconds = 0;
    for (String file : List.of("spoq.conf.template", "stream.conf")) {
      var m =
          java.util.regex.Pattern.compile("fail_timeout=(\\d+)s")
              .matcher(readString(dev.spoq.e2e.RepoPaths.root().resolve("deploy/proxy/" + file)));
      while (m.find()) {
        seconds = Math.max(seconds, Long.parseLong(m.group(1)));
      }
    }
    return Duration.ofSeconds(seconds + 2);
  }

  private static JsonNode relaySession(Home h) {
    return h.jetson.status().path("relay").path("session");
  }

  private static Duration elapsed(long since) {
    return Duration.ofNanos(System.nanoTime() - since);
  }

  private long statusAge(Home h) {
    JsonNode status = world.admin("GET", "/api/jetsons/" + h.jetsonId + "/status", null, 200);
    return Duration.between(Instant.parse(status.get("receivedAt").asString()), Instant.now())
        .toSeconds();
  }

  private static int ticks(Path log) {
    try {
      return Files.exists(log)
          ? (int) Files.readString(log).lines().filter("tick"::equals).count()
          : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /** Which jump-router replica holds the one established SSH connection from the balancer. */
  private int jumpReplicaHolding(ControlPlane cp) {
    NetworkNamespace[] hosts = world.net.replicaHosts();
    for (int i = 0; i < hosts.length; i++) {
      String out =
          hosts[i]
              .exec(
                  "ss",
                  "-tnH",
                  "state",
                  "established",
                  "( sport = :" + ControlPlane.JUMP_SSH_PORT + " )")
              .output();
      if (!out.isBlank()) {
        return i;
      }
    }
    throw new IllegalStateException("no jump-router replica holds carol's session");
  }

  private void relayScenario(Report.Entry r) {
    Home h = home();
    Topology net = world.net;
    ControlPlane cp = world.controlPlane;
    Optional<String> frpMissing = Frps.missing();
    String relayId = "relay-us-1";
    String adminPassword = NetworkNamespace.randomSuffix(16);
    if (frpMissing.isEmpty()) {
      net.own(new Frps(net.relay, world.work, cp, relayId, "spoq", adminPassword));
    }
    Map<String, Object> relay = new LinkedHashMap<>();
    relay.put("id", relayId);
    relay.put("region", "us");
    relay.put("publicHost", Topology.RELAY_IP);
    relay.put("bindPort", Frps.BIND_PORT);
    relay.put("udpPortRange", Map.of("start", Frps.FIRST_PORT, "end", Frps.LAST_PORT));
    relay.put("capacity", 100);
    relay.put("adminUrl", "http://" + Topology.RELAY_IP + ":" + Frps.ADMIN_PORT);
    relay.put("adminUser", "spoq");
    relay.put("adminPassword", adminPassword);
    Http.post(net.cloud, cp.relayUrl() + "/api/relays", cp.adminKey(), relay).expect(201);
    r.proved(
        "relay "
            + relayId
            + " ("
            + Topology.RELAY_IP
            + ":"
            + Frps.BIND_PORT
            + ") registered with the relay coordinator");

    String connectUrl = cp.relayUrl() + "/api/connect/" + Home.USER;
    // The phone app asks with alice's own account key; another account's key is refused.
    String aliceKey = world.accountKey(Home.USER);
    world.createAccount("eve", "CLOUD");
    String eveKey = world.accountKey("eve");
    String unknown = Http.get(net.phone, cp.relayUrl() + "/api/connect/nobody", eveKey).body();
    Http.Response foreign = Http.get(net.phone, connectUrl, eveKey).expect(404);
    assertThat(foreign.body()).isEqualTo(unknown.replace("/nobody", "/" + Home.USER));
    r.proved(
        "another account's API key gets 404 for alice's connect answer, the same answer as for a"
            + " name that does not exist");

    JsonNode[] before = new JsonNode[1];
    try {
      Wait.until(
          "the connect answer to offer the direct path while UPnP works",
          Duration.ofSeconds(45),
          () -> {
            before[0] = Http.get(net.phone, connectUrl, aliceKey).expect(200).json();
            return types(before[0]).contains("direct");
          });
    } catch (IllegalStateException e) {
      throw new AssertionError(
          "connect answer with UPnP working: " + before[0] + "\nagent status: " + h.jetson.status(),
          e);
    }
    r.proved(
        "with UPnP working the connect answer offers "
            + before[0].path("endpoints").get(0).path("endpoint").asString()
            + " (direct)");

    h.upnp.stop();
    r.proved(
        "UPnP is now unavailable: miniupnpd stopped and its port mappings removed from the router");
    try {
      JsonNode[] answer = new JsonNode[1];
      Duration decided =
          Wait.until(
              "the connect answer to stop offering the direct path",
              Duration.ofSeconds(60),
              () -> {
                answer[0] = Http.get(net.phone, connectUrl, aliceKey).expect(200).json();
                List<String> types = types(answer[0]);
                return !types.contains("direct")
                    && (frpMissing.isPresent()
                        || (!types.isEmpty() && types.get(0).equals("relay")));
              });
      String notes = answer[0].path("notes").toString();
      assertThat(notes).contains("UPnP");
      r.proved(
          "the coordinator's connect answer for alice withdrew the direct endpoint "
              + Report.ms(decided)
              + " after UPnP went away; its notes: "
              + notes);
      if (frpMissing.isPresent()) {
        assertThat(notes).contains("relay not offered");
        throw new TestAbortedException(
            "frp is not installed here: "
                + frpMissing.get()
                + ". Verified without it: the connect answer stopped offering the dead direct path ("
                + notes
                + "); the relay endpoint itself is only offered once frps reports the relay UP. "
                + FRP_NEEDS_CONNECT_ANSWER_CLIENT);
      }
      JsonNode relayEndpoint = answer[0].get("endpoints").get(0);
      assertThat(relayEndpoint.get("host").asString()).isEqualTo(Topology.RELAY_IP);
      int port = relayEndpoint.get("port").asInt();
      assertThat(port).isBetween(Frps.FIRST_PORT, Frps.LAST_PORT);
      r.proved(
          "the connect answer points at the relay: "
              + relayEndpoint.get("endpoint").asString()
              + "; "
              + FRP_NEEDS_CONNECT_ANSWER_CLIENT);
      Duration handshake =
          h.connectAnswerClientActivates(
              relayEndpoint.get("endpoint").asString(), Duration.ofSeconds(60));
      SshClient.Run run = h.sshToJetson("echo via-relay");
      assertThat(run.ok()).as(run.output()).isTrue();
      r.proved(
          "a client that follows the connect answer handshook through frps/frpc in "
              + Report.ms(handshake)
              + " and SSH works");
      r.path("relay " + relayEndpoint.get("endpoint").asString() + " (frp, connect-answer client)")
          .handshake(handshake)
          .sshRoundTrip(run.elapsed());
    } finally {
      // Back to the stock app's tunnel, exactly as installed.
      h.phoneWg.activate();
      h.upnp.start();
      Wait.until(
          "the agent to map its port again",
          Duration.ofSeconds(60),
          () -> h.upnp.mappings().contains("51820"));
    }
  }

  /** Said in scenario 3's report, so nobody mistakes the frp path for the stock-client path. */
  static final String FRP_NEEDS_CONNECT_ANSWER_CLIENT =
      "frp gives each Jetson its own port on the relay host, so a stock WireGuard app (configured"
          + " once with alice.spoq.dev:51820, resolving the name only at activation) cannot follow"
          + " it: the frp path needs a client that follows the connect answer. Stock apps use the"
          + " relay-server path (scenario 8, stock client).";

  private static List<String> types(JsonNode answer) {
    List<String> types = new ArrayList<>();
    for (JsonNode e : answer.path("endpoints")) {
      types.add(e.path("type").asString());
    }
    return types;
  }
}
