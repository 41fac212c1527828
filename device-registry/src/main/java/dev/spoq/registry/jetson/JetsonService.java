package dev.spoq.registry.jetson;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.account.Account;
import dev.spoq.registry.account.AccountService;
import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.push.RevocationLog;
import dev.spoq.registry.security.Access;
import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.Caller;
import dev.spoq.registry.security.DeviceCaller;
import dev.spoq.registry.wireguard.PublicKeys;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class JetsonService {

  private static final String NOT_FOUND = "No such Jetson.";

  private final JetsonRepository jetsons;
  private final DeviceTokens deviceTokens;
  private final AccountService accounts;
  private final Access access;
  private final AuditLog auditLog;
  private final JdbcClient jdbc;
  private final RevocationLog revocations;

  JetsonService(
      JetsonRepository jetsons,
      DeviceTokens deviceTokens,
      AccountService accounts,
      Access access,
      AuditLog auditLog,
      JdbcClient jdbc,
      RevocationLog revocations) {
    this.jetsons = jetsons;
    this.deviceTokens = deviceTokens;
    this.accounts = accounts;
    this.access = access;
    this.auditLog = auditLog;
    this.jdbc = jdbc;
    this.revocations = revocations;
  }

  /**
   * The Jetson if the caller may act on it: an API key of its account (or admin), or the Jetson's
   * own device token. Otherwise 404, and an audited denial when it exists.
   */
  @Transactional(readOnly = true)
  public Jetson visible(Caller caller, UUID jetsonId, String action) {
    Jetson jetson =
        jetsons.findById(jetsonId).orElseThrow(() -> ApiProblemException.notFound(NOT_FOUND));
    if (caller instanceof ApiKeyCaller key) {
      access.requireAccount(key, jetson.accountId(), action, "jetson:" + jetsonId, NOT_FOUND);
    } else if (!(caller instanceof DeviceCaller device && device.jetsonId().equals(jetsonId))) {
      access.deny(caller, action, "jetson:" + jetsonId);
      throw ApiProblemException.notFound(NOT_FOUND);
    }
    return jetson;
  }

  /** Like {@link #visible} and locks the row; refuses a revoked Jetson (409). */
  @Transactional
  public Jetson lockForChange(Caller caller, UUID jetsonId, String action) {
    visible(caller, jetsonId, action);
    Jetson jetson =
        jetsons.lock(jetsonId).orElseThrow(() -> ApiProblemException.notFound(NOT_FOUND));
    if (jetson.revoked()) {
      throw ApiProblemException.conflict("This Jetson is revoked; it can no longer be changed.");
    }
    return jetson;
  }

  @Transactional(readOnly = true)
  public List<Jetson> ofAccount(ApiKeyCaller caller, String username) {
    Account account = accounts.visible(caller, username, "jetson.list");
    return jetsons.findByAccount(account.id());
  }

  /** Revokes the Jetson and its device tokens, effective for the very next request. */
  @Transactional
  public Jetson revoke(ApiKeyCaller caller, UUID jetsonId) {
    Jetson jetson = lockForChange(caller, jetsonId, "jetson.revoke");
    jdbc.sql("UPDATE jetson SET revoked_at = now() WHERE id = ?").param(jetsonId).update();
    deviceTokens.revokeAll(jetsonId);
    jetsons.bumpPeerVersion(jetsonId);
    revocations.record(
        RevocationLog.Kind.JETSON, null, jetsonId, jetson.accountId(), jetson.username());
    auditLog.success(caller, "jetson.revoke", "jetson:" + jetsonId, jetson.accountId());
    return jetsons.findById(jetsonId).orElseThrow();
  }

  /** Issues a new device token; every earlier one stops working at once. */
  @Transactional
  public String rotateDeviceToken(Caller caller, UUID jetsonId) {
    Jetson jetson = lockForChange(caller, jetsonId, "device-token.rotate");
    String token = deviceTokens.issue(jetsonId);
    auditLog.success(caller, "device-token.rotate", "jetson:" + jetsonId, jetson.accountId());
    return token;
  }

  /** Revokes every device token of the Jetson (the agent is locked out until a rotation). */
  @Transactional
  public int revokeDeviceTokens(ApiKeyCaller caller, UUID jetsonId) {
    Jetson jetson = lockForChange(caller, jetsonId, "device-token.revoke");
    int revoked = deviceTokens.revokeAll(jetsonId);
    auditLog.success(
        caller,
        "device-token.revoke",
        "jetson:" + jetsonId,
        jetson.accountId(),
        Map.of("revoked", revoked));
    return revoked;
  }

  /** The Jetson replaces its own WireGuard key; the old one goes to the key history. */
  @Transactional
  public Jetson replaceKey(DeviceCaller caller, String publicKey) {
    String key = PublicKeys.require("publicKey", publicKey);
    Jetson jetson = lockForChange(caller, caller.jetsonId(), "jetson.key.replace");
    if (jetson.publicKey().equals(key)) {
      return jetson;
    }
    Long clash =
        jdbc.sql(
                "SELECT count(*) FROM device WHERE jetson_id = ? AND public_key = ? AND revoked_at IS NULL")
            .params(jetson.id(), key)
            .query(Long.class)
            .single();
    if (clash > 0) {
      throw ApiProblemException.conflict("This key belongs to one of the Jetson's devices.");
    }
    jdbc.sql(
            """
            INSERT INTO key_history (jetson_id, public_key, valid_from)
            SELECT id, public_key, coalesce(
                (SELECT max(replaced_at) FROM key_history WHERE jetson_id = ? AND device_id IS NULL),
                created_at)
            FROM jetson WHERE id = ?
            """)
        .params(jetson.id(), jetson.id())
        .update();
    jdbc.sql("UPDATE jetson SET public_key = ? WHERE id = ?").params(key, jetson.id()).update();
    jetsons.bumpPeerVersion(jetson.id());
    auditLog.success(
        caller,
        "jetson.key.replace",
        "jetson:" + jetson.id(),
        jetson.accountId(),
        Map.of("oldPublicKey", jetson.publicKey(), "newPublicKey", key));
    return jetsons.findById(jetson.id()).orElseThrow();
  }
}
