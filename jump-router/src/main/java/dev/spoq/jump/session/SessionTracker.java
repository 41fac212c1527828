package dev.spoq.jump.session;

import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.limits.ConnectionGuard;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;

/**
 * Follows every SSH connection: attaches its {@link RouterSession}, counts sessions (total and per
 * user), audits connection, authentication success, session start and end (with bytes and
 * duration), and reports connections that ended after failed authentication to the {@link
 * ConnectionGuard} (which bans repeat offenders).
 */
public class SessionTracker implements SessionListener {

  private final AuditTrail audit;
  private final RouterMetrics metrics;
  private final ConnectionGuard guard;
  private final Map<String, AtomicInteger> perUser = new ConcurrentHashMap<>();

  public SessionTracker(AuditTrail audit, RouterMetrics metrics, ConnectionGuard guard) {
    this.audit = audit;
    this.metrics = metrics;
    this.guard = guard;
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
    RouterSession state =
        new RouterSession(RouterSession.ipOf(session.getRemoteAddress()), metrics);
    session.setAttribute(RouterSession.KEY, state);
    metrics.unauthenticatedConnections().incrementAndGet();
    audit.record(
        "anonymous",
        "ssh.connection.open",
        "jump-router",
        state.sourceIp(),
        "SUCCESS",
        Map.of("client", String.valueOf(session.getRemoteAddress())));
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
    metrics.unauthenticatedConnections().decrementAndGet();
    metrics.activeSessions().incrementAndGet();
    perUser.computeIfAbsent(username, u -> new AtomicInteger()).incrementAndGet();
    metrics.authSuccess();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("keyFingerprint", String.valueOf(state.keyFingerprint()));
    details.put("method", "publickey");
    audit.record(
        state.actor(), "ssh.auth.success", "jump-router", state.sourceIp(), "SUCCESS", details);
    audit.record(
        state.actor(),
        "ssh.session.start",
        "jump-router",
        state.sourceIp(),
        "SUCCESS",
        Map.of("keyFingerprint", String.valueOf(state.keyFingerprint())));
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
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("bytesClientToTarget", state.clientToTarget());
      details.put("bytesTargetToClient", state.targetToClient());
      details.put(
          "durationMillis", Duration.between(state.authenticatedAt(), Instant.now()).toMillis());
      audit.record(
          state.actor(), "ssh.session.end", "jump-router", state.sourceIp(), "SUCCESS", details);
    } else {
      metrics.unauthenticatedConnections().decrementAndGet();
      if (state.rejectedKeys() > 0) {
        guard.authenticationFailed(state.sourceIp());
      }
      audit.record(
          state.actor(),
          "ssh.connection.close",
          "jump-router",
          state.sourceIp(),
          state.failedAttempts() > 0 ? "FAILURE" : "SUCCESS",
          Map.of(
              "authenticated",
              false,
              "rejectedKeys",
              state.rejectedKeys(),
              "failedAttempts",
              state.failedAttempts(),
              "durationMillis",
              Duration.between(state.connectedAt(), Instant.now()).toMillis()));
    }
  }
}
