package dev.spoq.jump.ssh;

import java.time.Duration;
import org.apache.sshd.common.io.IoAcceptor;
import org.apache.sshd.server.SshServer;

/**
 * An {@link SshServer} that can stop accepting connections while the sessions it has go on: a
 * replica being restarted lets a connection that just arrived finish instead of cutting it, and the
 * balancer sends new ones to the other replica.
 */
final class DrainableSshServer extends SshServer {

  /** Closes the listening socket; open sessions are untouched. */
  void stopAccepting() {
    IoAcceptor listening = acceptor;
    if (listening != null) {
      listening.unbind();
    }
  }

  /** Stops accepting, then waits until no session is left or {@code grace} has passed. */
  void drain(Duration grace) throws InterruptedException {
    stopAccepting();
    long deadline = System.nanoTime() + grace.toNanos();
    while (!getActiveSessions().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }
}
