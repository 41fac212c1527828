package dev.spoq.jump.ssh;

import java.io.IOException;
import java.time.Duration;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionDisconnectHandler;
import org.apache.sshd.common.session.helpers.TimeoutIndicator;

/**
 * Short, true disconnect texts for MINA's timeouts (MINA's own say "Protocol error" for an expired
 * login grace, which points users at the wrong cause).
 */
final class DisconnectReasons implements SessionDisconnectHandler {

  private final Duration loginGrace;

  DisconnectReasons(Duration loginGrace) {
    this.loginGrace = loginGrace;
  }

  @Override
  public boolean handleTimeoutDisconnectReason(Session session, TimeoutIndicator timeout)
      throws IOException {
    String text =
        switch (timeout.getStatus()) {
          case AuthTimeout -> "login grace time (" + loginGrace.toSeconds() + " s) exceeded";
          case IdleTimeout -> "idle timeout";
          default -> null;
        };
    if (text == null) {
      return false;
    }
    session.disconnect(SshConstants.SSH2_DISCONNECT_BY_APPLICATION, text);
    return true;
  }
}
