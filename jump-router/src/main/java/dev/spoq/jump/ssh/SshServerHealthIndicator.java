package dev.spoq.jump.ssh;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** {@code /actuator/health/sshServer}: UP while the SSH listener accepts connections. */
public class SshServerHealthIndicator implements HealthIndicator {

  private final JumpSshServer server;

  public SshServerHealthIndicator(JumpSshServer server) {
    this.server = server;
  }

  @Override
  public Health health() {
    Health.Builder builder = server.isRunning() ? Health.up() : Health.down();
    if (server.isRunning()) {
      builder
          .withDetail("port", server.port())
          .withDetail("activeSessions", server.activeSessions())
          .withDetail("hostKeyFingerprint", server.hostKeyFingerprint());
    }
    return builder.build();
  }
}
