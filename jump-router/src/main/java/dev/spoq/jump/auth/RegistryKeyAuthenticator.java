package dev.spoq.jump.auth;

import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.session.RouterMetrics;
import dev.spoq.jump.session.RouterSession;
import dev.spoq.jump.session.SessionTracker;
import java.security.PublicKey;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public-key authentication against the user's active keys in the registry (short cache). Refuses
 * when the registry cannot answer (fail closed) and when the user already has her maximum number of
 * sessions. Every refused key is audited with its SHA256 fingerprint.
 */
public class RegistryKeyAuthenticator implements PublickeyAuthenticator {

  private static final Logger log = LoggerFactory.getLogger(RegistryKeyAuthenticator.class);

  private final RegistryLookups lookups;
  private final SessionTracker tracker;
  private final AuditTrail audit;
  private final RouterMetrics metrics;
  private final int maxSessionsPerUser;

  public RegistryKeyAuthenticator(
      RegistryLookups lookups,
      SessionTracker tracker,
      AuditTrail audit,
      RouterMetrics metrics,
      int maxSessionsPerUser) {
    this.lookups = lookups;
    this.tracker = tracker;
    this.audit = audit;
    this.metrics = metrics;
    this.maxSessionsPerUser = maxSessionsPerUser;
  }

  @Override
  public boolean authenticate(String username, PublicKey key, ServerSession session) {
    RouterSession state = RouterSession.of(session);
    String fingerprint = KeyUtils.getFingerPrint(key);
    if (!RegistryLookups.isValidUsername(username)) {
      return refuse(state, username, fingerprint, "invalid-username", true);
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
      return refuse(state, username, fingerprint, "too-many-sessions", false);
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
    state.failedAttempt();
    if (countsTowardsBan) {
      state.rejectKey();
    }
    metrics.authFailure();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("keyFingerprint", fingerprint);
    details.put("reason", reason);
    details.put("method", "publickey");
    boolean valid = RegistryLookups.isValidUsername(username);
    if (!valid) {
      details.put("username", username == null ? "" : truncate(username));
    }
    audit.record(
        valid ? "user:" + username : "anonymous",
        "ssh.auth.failure",
        "jump-router",
        state.sourceIp(),
        "too-many-sessions".equals(reason) ? "DENIED" : "FAILURE",
        details);
    return false;
  }

  private static String truncate(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 64 ? printable.substring(0, 64) : printable;
  }
}
