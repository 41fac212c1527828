package dev.spoq.jump.web;

import dev.spoq.jump.ssh.JumpSshServer;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Public facts about the router's keys: its host key (for users' known_hosts) and the upstream
 * client key containers must trust for direct login. No secrets.
 */
@RestController
@RequestMapping("/api/v1/router")
class RouterKeysController {

  private final JumpSshServer server;

  RouterKeysController(JumpSshServer server) {
    this.server = server;
  }

  record RouterKeys(
      String hostPublicKey,
      String hostKeyFingerprint,
      String upstreamPublicKey,
      String upstreamKeyFingerprint,
      int sshPort) {}

  @GetMapping("/keys")
  RouterKeys keys() {
    return new RouterKeys(
        server.hostPublicKey(),
        server.hostKeyFingerprint(),
        server.upstreamPublicKey(),
        server.upstreamKeyFingerprint(),
        server.port());
  }
}
