package dev.spoq.registry.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SshConfigSnippetTest {

  private static final ContainerRouteService.ContainerRoute ROUTE =
      new ContainerRouteService.ContainerRoute(
          UUID.randomUUID(), "alice", "10.20.0.7", 2222, "ssh-ed25519 AAAAkey", Instant.now());

  @Test
  void proxyJumpTargetsTheContainerNameTheRouterAcceptsNeverTheRouteAddress() {
    String snippet = SshConfigSnippet.render("alice", ROUTE, "ssh.spoq.dev");
    assertThat(snippet)
        .contains("Host spoq\n    HostName container-alice\n    User alice\n")
        .contains("    ProxyJump alice@ssh.spoq.dev\n")
        .contains("#   container-alice ssh-ed25519 AAAAkey\n")
        .contains("Host spoq-direct\n    HostName ssh.spoq.dev\n    User alice\n")
        .doesNotContain("10.20.0.7")
        .doesNotContain("Port");
  }

  @Test
  void nonDefaultJumpPortGoesIntoProxyJumpAndTheDirectBlock() {
    assertThat(SshConfigSnippet.render("alice", ROUTE, "ssh.spoq.dev:2222"))
        .contains("    ProxyJump alice@ssh.spoq.dev:2222\n")
        .contains("Host spoq-direct\n    HostName ssh.spoq.dev\n    Port 2222\n");
    assertThat(SshConfigSnippet.render("alice", ROUTE, "[2001:db8::1]:2200"))
        .contains("    ProxyJump alice@[2001:db8::1]:2200\n")
        .contains("    HostName 2001:db8::1\n    Port 2200\n");
    assertThat(SshConfigSnippet.render("alice", ROUTE, "ssh.spoq.dev:22"))
        .contains("    ProxyJump alice@ssh.spoq.dev\n")
        .doesNotContain("Port");
  }

  @Test
  void aMalformedJumpHostIsAConfigurationError() {
    assertThatThrownBy(() -> SshConfigSnippet.render("alice", ROUTE, "a:b:c"))
        .isInstanceOf(IllegalStateException.class);
  }
}
