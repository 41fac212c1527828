package dev.spoq.registry.apikey;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.token.Tokens;
import dev.spoq.registry.account.Account;
import dev.spoq.registry.account.AccountService;
import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.push.RevocationLog;
import dev.spoq.registry.security.Access;
import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.ApiKeyScope;
import dev.spoq.registry.security.Credentials;
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

@Service
class ApiKeyService {

  record ApiKey(
      UUID id,
      ApiKeyScope scope,
      UUID accountId,
      String username,
      String name,
      Instant createdAt,
      Instant revokedAt) {}

  record IssuedKey(ApiKey key, String secret) {}

  private final JdbcClient jdbc;
  private final AccountService accounts;
  private final Access access;
  private final AuditLog auditLog;
  private final RevocationLog revocations;

  ApiKeyService(
      JdbcClient jdbc,
      AccountService accounts,
      Access access,
      AuditLog auditLog,
      RevocationLog revocations) {
    this.jdbc = jdbc;
    this.accounts = accounts;
    this.access = access;
    this.auditLog = auditLog;
    this.revocations = revocations;
  }

  @Transactional
  IssuedKey create(ApiKeyCaller caller, ApiKeyScope scope, String username, String name) {
    access.requireAdmin(caller, "api-key.create", "api-key:" + name);
    UUID accountId = null;
    if (scope == ApiKeyScope.ACCOUNT) {
      if (username == null) {
        throw ApiProblemException.invalid("An ACCOUNT key needs the username it is scoped to.");
      }
      Account account = accounts.visible(caller, username, "api-key.create");
      accountId = account.id();
    } else if (username != null) {
      throw ApiProblemException.invalid("An ADMIN key is not scoped to an account; omit username.");
    }
    String secret = Tokens.generate(Credentials.API_KEY_PREFIX);
    UUID id =
        jdbc.sql(
                "INSERT INTO api_key (key_hash, scope, account_id, name) VALUES (?, ?, ?, ?) RETURNING id")
            .params(Tokens.hash(secret), scope.name(), accountId, name)
            .query(UUID.class)
            .single();
    auditLog.success(
        caller, "api-key.create", "api-key:" + id, accountId, Map.of("scope", scope.name()));
    return new IssuedKey(find(id), secret);
  }

  @Transactional(readOnly = true)
  List<ApiKey> list(ApiKeyCaller caller) {
    String sql = "SELECT k.*, a.username FROM api_key k LEFT JOIN account a ON a.id = k.account_id";
    if (caller.isAdmin()) {
      return jdbc.sql(sql + " ORDER BY k.created_at").query(ApiKeyService::map).list();
    }
    return jdbc.sql(sql + " WHERE k.account_id = ? ORDER BY k.created_at")
        .param(caller.accountId())
        .query(ApiKeyService::map)
        .list();
  }

  @Transactional
  void revoke(ApiKeyCaller caller, UUID id) {
    ApiKey key =
        jdbc.sql(
                "SELECT k.*, a.username FROM api_key k LEFT JOIN account a ON a.id = k.account_id WHERE k.id = ?")
            .param(id)
            .query(ApiKeyService::map)
            .optional()
            .orElseThrow(() -> ApiProblemException.notFound("No such API key."));
    if (key.scope() == ApiKeyScope.ADMIN) {
      access.requireAdmin(caller, "api-key.revoke", "api-key:" + id);
    } else {
      access.requireAccount(
          caller, key.accountId(), "api-key.revoke", "api-key:" + id, "No such API key.");
    }
    List<String> revoked =
        jdbc.sql(
                "UPDATE api_key SET revoked_at = now() WHERE id = ? AND revoked_at IS NULL RETURNING key_hash")
            .param(id)
            .query(String.class)
            .list();
    for (String hash : revoked) {
      revocations.record(
          RevocationLog.Kind.API_KEY, hash.trim(), null, key.accountId(), key.username());
    }
    auditLog.success(caller, "api-key.revoke", "api-key:" + id, key.accountId());
  }

  private ApiKey find(UUID id) {
    return jdbc.sql(
            "SELECT k.*, a.username FROM api_key k LEFT JOIN account a ON a.id = k.account_id WHERE k.id = ?")
        .param(id)
        .query(ApiKeyService::map)
        .single();
  }

  private static ApiKey map(ResultSet rs, int n) throws SQLException {
    Timestamp revoked = rs.getTimestamp("revoked_at");
    return new ApiKey(
        rs.getObject("id", UUID.class),
        ApiKeyScope.valueOf(rs.getString("scope")),
        rs.getObject("account_id", UUID.class),
        rs.getString("username"),
        rs.getString("name"),
        rs.getTimestamp("created_at").toInstant(),
        revoked == null ? null : revoked.toInstant());
  }
}
