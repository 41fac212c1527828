package dev.spoq.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.e2e.harness.ControlPlane;
import dev.spoq.e2e.harness.Report;
import dev.spoq.e2e.harness.SshClient;
import dev.spoq.e2e.harness.Sshd;
import dev.spoq.e2e.harness.Topology;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

  @BeforeAll
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void buildTheInternet() {
    long t0 = System.nanoTime();
    world = World.build();
    Report.note(
        "world built in "
            + (System.nanoTime() - t0) / 1_000_000
            + " ms (10 namespaces, BIND, PostgreSQL, 4 services from their exec jars; services healthy in "
            + world.controlPlane.lastStartup().toMillis()
            + " ms)");
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
  @Order(4)
  @Tag("cloud")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void cloudUsersReachOnlyTheirOwnContainerThroughTheJumpRouter() throws Exception {
    Scenarios.run(
        "4",
        "Cloud (jump router)",
        r -> {
          Topology net = world.net;
          world.createAccount("alice", "CLOUD");
          world.createAccount("bob", "CLOUD");
          SshClient alice = new SshClient(net.phone, world.work, "alice");
          SshClient bob = new SshClient(net.phone, world.work, "bob");
          world.admin(
              "POST", "/api/accounts/alice/ssh-keys", Map.of("publicKey", alice.publicKey()), 201);
          world.admin(
              "POST", "/api/accounts/bob/ssh-keys", Map.of("publicKey", bob.publicKey()), 201);

          String upstreamKey =
              Files.readString(Path.of(world.controlPlane.jumpUpstreamKey() + ".pub")).trim();
          Sshd aliceBox = net.own(new Sshd(net.aliceContainer, world.work, "alice", 20001));
          aliceBox.authorize(alice.publicKey()).authorize(upstreamKey);
          aliceBox.start(Topology.ALICE_CONTAINER_IP, "");
          Sshd bobBox = net.own(new Sshd(net.bobContainer, world.work, "bob", 20002));
          bobBox.authorize(bob.publicKey()).authorize(upstreamKey);
          bobBox.start(Topology.BOB_CONTAINER_IP, "");
          world.admin(
              "PUT",
              "/api/accounts/alice/container-route",
              Map.of(
                  "host",
                  Topology.ALICE_CONTAINER_IP,
                  "port",
                  22,
                  "hostKey",
                  aliceBox.hostPublicKey()),
              200);
          world.admin(
              "PUT",
              "/api/accounts/bob/container-route",
              Map.of(
                  "host", Topology.BOB_CONTAINER_IP, "port", 22, "hostKey", bobBox.hostPublicKey()),
              200);

          String jump = "alice@ssh." + World.DOMAIN + ":" + ControlPlane.JUMP_SSH_PORT;
          String probe = "echo user=$(id -un); ip -4 -o addr show scope global";

          SshClient.Run proxyJump = alice.ssh(List.of("-J", jump), "alice@container-alice", probe);
          assertThat(proxyJump.ok())
              .as("ssh -J into alice's container: %s", proxyJump.output())
              .isTrue();
          assertThat(proxyJump.output())
              .contains("user=alice")
              .contains(Topology.ALICE_CONTAINER_IP);
          r.proved(
              "ssh -J alice@ssh.spoq.dev:2222 alice@container-alice ran a command in alice's container"
                  + " at "
                  + Topology.ALICE_CONTAINER_IP
                  + " ("
                  + Report.ms(proxyJump.elapsed())
                  + ", end-to-end encrypted to the container)");

          SshClient.Run direct =
              alice.ssh(
                  List.of("-p", String.valueOf(ControlPlane.JUMP_SSH_PORT)),
                  "alice@ssh." + World.DOMAIN,
                  probe);
          assertThat(direct.ok()).as("ssh alice@router: %s", direct.output()).isTrue();
          assertThat(direct.output()).contains("user=alice").contains(Topology.ALICE_CONTAINER_IP);
          r.proved(
              "ssh alice@ssh.spoq.dev landed in alice's container through the router's upstream key ("
                  + Report.ms(direct.elapsed())
                  + ")");

          SshClient.Run crossTenant =
              alice.ssh(
                  List.of("-J", jump), "bob@" + Topology.BOB_CONTAINER_IP, "echo reached-bob");
          assertThat(crossTenant.ok()).isFalse();
          assertThat(crossTenant.output()).doesNotContain("reached-bob");
          SshClient.Run crossTenantAsAlice =
              alice.ssh(
                  List.of("-J", jump), "alice@" + Topology.BOB_CONTAINER_IP, "echo reached-bob");
          assertThat(crossTenantAsAlice.ok()).isFalse();
          assertThat(bobBox.log()).doesNotContain("Accepted publickey");
          r.proved(
              "alice -> bob's container refused, by name (container-bob) and by address ("
                  + Topology.BOB_CONTAINER_IP
                  + "); bob's sshd never saw a login");

          SshClient.Run bobDirect =
              bob.ssh(
                  List.of("-p", String.valueOf(ControlPlane.JUMP_SSH_PORT)),
                  "bob@ssh." + World.DOMAIN,
                  "echo user=$(id -un)");
          assertThat(bobDirect.ok()).as(bobDirect.output()).isTrue();
          assertThat(bobDirect.output()).contains("user=bob");
          SshClient.Run bobAsAlice =
              bob.ssh(
                  List.of("-p", String.valueOf(ControlPlane.JUMP_SSH_PORT)),
                  "alice@ssh." + World.DOMAIN,
                  "echo user=$(id -un)");
          assertThat(bobAsAlice.ok()).as("bob's key must not log in as alice").isFalse();
          r.proved("bob reaches his own container; bob's key is refused for alice");
          r.path("jump router ssh." + World.DOMAIN + ":2222 -> container")
              .sshRoundTrip(proxyJump.elapsed());
        });
  }
}
