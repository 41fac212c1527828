package dev.spoq.jump.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.RegistryClient;
import dev.spoq.jump.auth.RegistryLookups;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The name checks that happen before any registry call. (Allowed targets need a route: those are
 * covered against the real registry in JumpRouterIT.) The registry here is unreachable, which must
 * also refuse.
 */
class ContainerTargetPolicyTest {

  private final ContainerTargetPolicy policy =
      new ContainerTargetPolicy(
          new RegistryLookups(
              new RegistryClient(URI.create("http://127.0.0.1:9"), "t", Duration.ofMillis(300)),
              Duration.ofSeconds(20),
              Duration.ofSeconds(20),
              Clock.systemUTC()));

  private String reason(String user, String host, int port) {
    ContainerTargetPolicy.Decision d = policy.decide(user, host, port);
    assertThat(d.allowed()).isFalse();
    return d.reason();
  }

  @Test
  void refusesEverythingThatIsNotTheUsersOwnContainerName() {
    assertThat(reason("alice", "container-bob", 22)).isEqualTo("not-own-container");
    assertThat(reason("alice", "Container-Bob", 22)).isEqualTo("not-own-container");
    assertThat(reason("alice", "container-alice.evil.example", 22)).isEqualTo("not-own-container");
    assertThat(reason("alice", "container-", 22)).isEqualTo("not-own-container");
    assertThat(reason("alice", "127.0.0.1", 5432)).isEqualTo("ip-literal");
    assertThat(reason("alice", "10.0.0.5", 22)).isEqualTo("ip-literal");
    assertThat(reason("alice", "::1", 22)).isEqualTo("ip-literal");
    assertThat(reason("alice", "[fe80::1]", 22)).isEqualTo("ip-literal");
    assertThat(reason("alice", "localhost", 22)).isEqualTo("localhost");
    assertThat(reason("alice", "db.localhost", 22)).isEqualTo("localhost");
    assertThat(reason("alice", "postgres", 5432)).isEqualTo("not-a-container-name");
    assertThat(reason("alice", "example.com", 22)).isEqualTo("not-a-container-name");
    assertThat(reason(null, "container-alice", 22)).isEqualTo("unauthenticated");
  }

  @Test
  void ownContainerIsRefusedWhenTheRegistryCannotConfirmTheRoute() {
    assertThat(reason("alice", "container-alice", 22)).isEqualTo("registry-unavailable");
    assertThat(policy.isRouteOf("alice", "127.0.0.1", 22)).isFalse();
  }
}
