package dev.spoq.jump.auth;

import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.jump.limits.ConnectionGuard;
import dev.spoq.jump.session.RouterMetrics;
import dev.spoq.jump.session.RouterSession;
import dev.spoq.jump.session.SessionTracker;
import java.io.IOException;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public-key authentication against the user's active keys in the registry (short cache). Refuses
 * when the registry cannot answer (fail closed). A registered key of a user who already has her
 * maximum number of sessions, or whose (address, username) pair is banned, gets an SSH disconnect
 * saying so instead of the "Permission denied" of a wrong key. Refused keys are remembered with
 * their SHA256 fingerprints for the connection's one {@code ssh.auth.failure} event.
 */
public class RegistryKeyAuthenticator implements PublickeyAuthenticator {

  private static final Logger log = LoggerFactory.getLogger(RegistryKeyAuthenticator.class);

  private final RegistryLookups lookups;
  private final SessionTracker tracker;
  private final ConnectionGuard guard;
  private final RouterMetrics metrics;
  private final int maxSessionsPerUser;

  public RegistryKeyAuthenticator(
      RegistryLookups lookups,
      SessionTracker tracker,
      ConnectionGuard guard,
      RouterMetrics metrics,
      int maxSessionsPerUser) {
    this.lookups = lookups;
    this.tracker = tracker;
    this.guard = guard;
    this.metrics = metrics;
    this.maxSessionsPerUser = maxSessionsPerUser;
  }

  @Override
  public boolean authenticate(String username, PublicKey key, ServerSession session) {
    RouterSession state = session.getAttribute(RouterSession.KEY);
    if (state == null) {
      return false; // refused at admission, closing
    }
    String fingerprint = KeyUtils.getFingerPrint(key);
    if (!RegistryLookups.isValidUsername(username)) {
      return refuse(state, null, fingerprint, "invalid-username", true);
    }
    if (guard.isBanned(state.sourceIp(), username)) {
      refuse(state, username, fingerprint, "banned", false);
      return disconnect(
          session,
          SshConstants.SSH2_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT,
          "too many failed logins as " + username + " from your address; try again later");
    }
    List<PublicKey> keys;
    try {
      keys = lookups.keys(username);
    } catch (RegistryUnavailableException e) {
      log.warn("cannot check keys of {}: {}", username, e.getMessage());
      return refuse(state, username, fingerprint, "registry-unavailable", false);
    }
    boolean known = keys.stream().anyMatch(k -> KeyUtils.compareKeys(k, key));
    if (!known) {
      return refuse(state, username, fingerprint, "unknown-key", true);
    }
    if (!state.isAuthenticated() && tracker.sessionsOf(username) >= maxSessionsPerUser) {
      refuse(state, username, fingerprint, "too-many-sessions", false);
      return disconnect(
          session,
          SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS,
          "too many sessions for " + username + " (max " + maxSessionsPerUser + ")");
    }
    state.acceptedKey(username, fingerprint);
    return true;
  }

  private boolean refuse(
      RouterSession state,
      String username,
      String fingerprint,
      String reason,
      boolean countsTowardsBan) {
    state.failedAttempt(username, fingerprint, reason);
    if (countsTowardsBan) {
      state.rejectKey();
    }
    metrics.authFailure();
    return false;
  }

  private static boolean disconnect(ServerSession session, int code, String text) {
    try {
      session.disconnect(code, text);
    } catch (IOException e) {
      session.close(true);
    }
    return false;
  }
}
