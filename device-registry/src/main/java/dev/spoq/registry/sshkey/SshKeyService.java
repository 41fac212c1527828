package dev.spoq.registry.sshkey;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.account.Account;
import dev.spoq.registry.account.AccountService;
import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.push.RevocationLog;
import dev.spoq.registry.security.Access;
import dev.spoq.registry.security.ApiKeyCaller;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The SSH public keys of an account (used by the jump router and the Jetson's sshd). */
@Service
public class SshKeyService {

  static final int MAX_KEYS_PER_ACCOUNT = 50;

  public record SshKey(
      UUID id,
      UUID accountId,
      String type,
      String publicKey,
      String fingerprint,
      String comment,
      Instant createdAt,
      Instant revokedAt) {}

  private final JdbcClient jdbc;
  private final AccountService accounts;
  private final AuditLog auditLog;
  private final RevocationLog revocations;
  private final Access access;

  SshKeyService(
      JdbcClient jdbc,
      AccountService accounts,
      AuditLog auditLog,
      RevocationLog revocations,
      Access access) {
    this.jdbc = jdbc;
    this.accounts = accounts;
    this.auditLog = auditLog;
    this.revocations = revocations;
    this.access = access;
  }

  @Transactional
  SshKey add(ApiKeyCaller caller, String username, String line) {
    Account account = accounts.visible(caller, username, "ssh-key.add");
    OpenSshPublicKey key;
    try {
      key = OpenSshPublicKey.parse(line);
    } catch (IllegalArgumentException e) {
      throw ApiProblemException.invalid("publicKey: " + e.getMessage());
    }
    // Serialise additions per account so the count cap holds under concurrency.
    jdbc.sql("SELECT id FROM account WHERE id = ? FOR UPDATE")
        .param(account.id())
        .query()
        .listOfRows();
    List<SshKey> active = active(account.id());
    if (active.stream().anyMatch(k -> k.fingerprint().equals(key.fingerprint()))) {
      throw ApiProblemException.conflict("This key (" + key.fingerprint() + ") is already added.");
    }
    if (active.size() >= MAX_KEYS_PER_ACCOUNT) {
      throw ApiProblemException.conflict(
          "An account may hold at most " + MAX_KEYS_PER_ACCOUNT + " SSH keys; remove one first.");
    }
    UUID id =
        jdbc.sql(
                """
                INSERT INTO ssh_key (account_id, key_type, public_key, fingerprint, comment)
                VALUES (?, ?, ?, ?, ?) RETURNING id
                """)
            .params(account.id(), key.type(), key.line(), key.fingerprint(), key.comment())
            .query(UUID.class)
            .single();
    auditLog.success(
        caller,
        "ssh-key.add",
        "account:" + username + "/ssh-key:" + id,
        account.id(),
        Map.of("fingerprint", key.fingerprint(), "type", key.type()));
    return find(account.id(), id);
  }

  @Transactional(readOnly = true)
  List<SshKey> list(ApiKeyCaller caller, String username, boolean includeRevoked) {
    Account account = accounts.visible(caller, username, "ssh-key.list");
    return includeRevoked
        ? jdbc.sql("SELECT * FROM ssh_key WHERE account_id = ? ORDER BY created_at")
            .param(account.id())
            .query(SshKeyService::map)
            .list()
        : active(account.id());
  }

  @Transactional
  SshKey revoke(ApiKeyCaller caller, String username, UUID keyId) {
    Account account = accounts.visible(caller, username, "ssh-key.revoke");
    SshKey key = findOrDeny(caller, account, keyId);
    if (key.revokedAt() == null) {
      jdbc.sql("UPDATE ssh_key SET revoked_at = now() WHERE id = ?").param(keyId).update();
      revocations.record(RevocationLog.Kind.SSH_KEY, null, null, account.id(), account.username());
      auditLog.success(
          caller,
          "ssh-key.revoke",
          "account:" + username + "/ssh-key:" + keyId,
          account.id(),
          Map.of("fingerprint", key.fingerprint()));
    }
    return find(account.id(), keyId);
  }

  /** The account's active keys, for services and the Jetson agent. */
  @Transactional(readOnly = true)
  public List<SshKey> active(UUID accountId) {
    return jdbc.sql(
            "SELECT * FROM ssh_key WHERE account_id = ? AND revoked_at IS NULL ORDER BY created_at")
        .param(accountId)
        .query(SshKeyService::map)
        .list();
  }

  /** The account's key; another account's key is a 404 too, audited as a denial. */
  private SshKey findOrDeny(ApiKeyCaller caller, Account account, UUID keyId) {
    boolean exists =
        jdbc.sql("SELECT count(*) FROM ssh_key WHERE id = ?")
                .param(keyId)
                .query(Long.class)
                .single()
            > 0;
    boolean own =
        jdbc.sql("SELECT count(*) FROM ssh_key WHERE id = ? AND account_id = ?")
                .params(keyId, account.id())
                .query(Long.class)
                .single()
            > 0;
    if (exists && !own) {
      access.denyUnseen(
          caller, "ssh-key.revoke", "account:" + account.username() + "/ssh-key:" + keyId);
    }
    return find(account.id(), keyId);
  }

  private SshKey find(UUID accountId, UUID id) {
    return jdbc.sql("SELECT * FROM ssh_key WHERE account_id = ? AND id = ?")
        .params(accountId, id)
        .query(SshKeyService::map)
        .optional()
        .orElseThrow(() -> ApiProblemException.notFound("No such SSH key on this account."));
  }

  private static SshKey map(ResultSet rs, int n) throws SQLException {
    Timestamp revoked = rs.getTimestamp("revoked_at");
    return new SshKey(
        rs.getObject("id", UUID.class),
        rs.getObject("account_id", UUID.class),
        rs.getString("key_type"),
        rs.getString("public_key"),
        rs.getString("fingerprint"),
        rs.getString("comment"),
        rs.getTimestamp("created_at").toInstant(),
        revoked == null ? null : revoked.toInstant());
  }
}
