package dev.spoq.jump.session;

import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.limits.ConnectionGuard;
import dev.spoq.jump.limits.SampledLog;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows every SSH connection: admits or refuses it through the {@link ConnectionGuard} (a refused
 * connection gets an SSH disconnect with the reason), attaches its {@link RouterSession}, counts
 * sessions (total and per user), audits authentication and one summary per session, and reports
 * connections that ended unauthenticated to the guard. Connections that never authenticate are
 * counted in metrics and sampled in the log, not audited one by one.
 */
public class SessionTracker implements SessionListener {

  private static final Logger log = LoggerFactory.getLogger(SessionTracker.class);

  private static final long REFUSAL_LINGER_MILLIS = 1000;
  private static final ScheduledExecutorService CLOSER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "jump-refusal-closer");
            t.setDaemon(true);
            return t;
          });

  private final AuditTrail audit;
  private final RouterMetrics metrics;
  private final ConnectionGuard guard;
  private final SampledLog refusals = new SampledLog(Duration.ofSeconds(10));
  private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
  private final String serverIdentification;
  private final Predicate<SocketAddress> balancers;

  /**
   * @param balancers peers that send a PROXY header first; their connections are admitted by {@link
   *     #admit} once it has named the client
   */
  public SessionTracker(
      AuditTrail audit,
      RouterMetrics metrics,
      ConnectionGuard guard,
      String serverVersion,
      Predicate<SocketAddress> balancers) {
    this.balancers = balancers;
    this.audit = audit;
    this.metrics = metrics;
    this.guard = guard;
    this.serverIdentification = "SSH-2.0-" + serverVersion;
  }

  /** Authenticated sessions the user has open now. */
  public int sessionsOf(String username) {
    AtomicInteger n = perUser.get(username);
    return n == null ? 0 : n.get();
  }

  public int activeSessions() {
    return metrics.activeSessions().get();
  }

  @Override
  public void sessionCreated(Session session) {
    if (balancers.test(session.getRemoteAddress())) {
      // Behind a PROXY-protocol balancer: admitted once the header names the client.
      return;
    }
    admit(session, session.getRemoteAddress(), true);
  }

  /**
   * Admits a connection from {@code client} (its own address, or the one a trusted balancer's PROXY
   * header named) or refuses it: banned address, too many unauthenticated connections, ...
   *
   * @param beforeIdentification whether our SSH identification is still to be sent with a refusal
   */
  public void admit(Session session, SocketAddress client, boolean beforeIdentification) {
    String ip = RouterSession.ipOf(client);
    ConnectionGuard.Refusal refusal = guard.admit(client);
    if (refusal != null) {
      refusals.refused(refusal.reason(), ip);
      sendRefusal(session, refusal, beforeIdentification);
      // Closing at once would reset the connection while the client's first bytes are unread,
      // and a reset can discard the reason before OpenSSH reads it: close a moment later.
      // Without router state the connection can never authenticate in the meantime.
      CLOSER.schedule(() -> session.close(true), REFUSAL_LINGER_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    session.setAttribute(RouterSession.KEY, new RouterSession(ip, metrics));
    metrics.unauthenticatedConnections().incrementAndGet();
  }

  /**
   * Our identification line and a plaintext {@code SSH_MSG_DISCONNECT} (allowed before key
   * exchange), so OpenSSH prints "Received disconnect ...: 12: <text>" instead of a bare reset.
   */
  private void sendRefusal(
      Session session, ConnectionGuard.Refusal refusal, boolean withIdentification) {
    byte[] text = refusal.text().getBytes(StandardCharsets.UTF_8);
    int payload = 1 + 4 + 4 + text.length + 4;
    int padding = 8 - ((4 + 1 + payload) % 8);
    if (padding < 4) {
      padding += 8;
    }
    ByteArrayBuffer out = new ByteArrayBuffer();
    if (withIdentification) {
      out.putRawBytes((serverIdentification + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    out.putUInt(1 + payload + padding);
    out.putByte((byte) padding);
    out.putByte(SshConstants.SSH_MSG_DISCONNECT);
    out.putUInt(refusal.code());
    out.putBytes(text);
    out.putString("");
    out.putRawBytes(new byte[padding]);
    try {
      session.getIoSession().writeBuffer(out);
    } catch (IOException | RuntimeException e) {
      log.debug("refusal to {} not delivered: {}", session.getRemoteAddress(), e.getMessage());
    }
  }

  @Override
  public void sessionEvent(Session session, Event event) {
    if (event != Event.Authenticated) {
      return;
    }
    RouterSession state = session.getAttribute(RouterSession.KEY);
    if (state == null || state.isAuthenticated()) {
      return;
    }
    String username = session.getUsername();
    if (state.username() == null) {
      state.acceptedKey(username, null);
    }
    state.authenticated(true);
    guard.authenticated(state.sourceIp());
    metrics.unauthenticatedConnections().decrementAndGet();
    metrics.activeSessions().incrementAndGet();
    perUser.computeIfAbsent(username, u -> new AtomicInteger()).incrementAndGet();
    metrics.authSuccess();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("keyFingerprint", String.valueOf(state.keyFingerprint()));
    details.put("method", "publickey");
    if (state.rejectedKeys() > 0) {
      details.put("keysRefusedBefore", state.rejectedKeys());
    }
    audit.record(
        state.actor(), "ssh.auth.success", "jump-router", state.sourceIp(), "SUCCESS", details);
  }

  @Override
  public void sessionClosed(Session session) {
    RouterSession state = session.getAttribute(RouterSession.KEY);
    if (state == null) {
      return;
    }
    state.closeUpstream();
    if (state.isAuthenticated()) {
      metrics.activeSessions().decrementAndGet();
      if (state.countedAsUserSession()) {
        perUser.computeIfPresent(state.username(), (u, n) -> n.decrementAndGet() <= 0 ? null : n);
      }
      audit.record(
          state.actor(),
          "ssh.session",
          "jump-router",
          state.sourceIp(),
          "SUCCESS",
          summary(state, Duration.between(state.authenticatedAt(), Instant.now())));
      return;
    }
    metrics.unauthenticatedConnections().decrementAndGet();
    metrics.closedUnauthenticated();
    boolean failedLogin = state.rejectedKeys() > 0;
    guard.closedUnauthenticated(state.sourceIp(), state.attemptedUsername(), failedLogin);
    if (state.failedAttempts() > 0) {
      // One event per connection however many keys it offered (agents offer several).
      audit.record(
          state.actor(),
          "ssh.auth.failure",
          "jump-router",
          state.sourceIp(),
          state.lastFailureOutcome(),
          state.failureDetails());
    } else {
      log.debug("connection from {} closed before authentication", state.sourceIp());
    }
  }

  private static Map<String, Object> summary(RouterSession state, Duration duration) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("keyFingerprint", String.valueOf(state.keyFingerprint()));
    details.put("durationMillis", duration.toMillis());
    details.put("bytesClientToTarget", state.clientToTarget());
    details.put("bytesTargetToClient", state.targetToClient());
    details.put("channelsOpened", state.channelsOpened());
    details.put("channelsRefused", state.channelsRefused());
    details.put("forwardsAllowed", state.forwardsAllowed());
    details.put("forwardsDenied", state.forwardsDenied());
    return details;
  }
}
