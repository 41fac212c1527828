package dev.spoq.registry.enrollment;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import dev.spoq.common.token.Tokens;
import dev.spoq.registry.account.Account;
import dev.spoq.registry.account.AccountService;
import dev.spoq.registry.account.Product;
import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.jetson.DeviceTokens;
import dev.spoq.registry.jetson.Jetson;
import dev.spoq.registry.jetson.JetsonRepository;
import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.Credentials;
import dev.spoq.registry.wireguard.PublicKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
class EnrollmentService {

  static final Duration LIFETIME = Duration.ofMinutes(15);

  record IssuedCode(String code, UUID accountId, String username, Instant expiresAt) {}

  record Enrollment(Jetson jetson, String deviceToken) {}

  private record ConsumedCode(UUID id, UUID accountId) {}

  private final JdbcClient jdbc;
  private final AccountService accounts;
  private final JetsonRepository jetsons;
  private final DeviceTokens deviceTokens;
  private final AuditLog auditLog;

  EnrollmentService(
      JdbcClient jdbc,
      AccountService accounts,
      JetsonRepository jetsons,
      DeviceTokens deviceTokens,
      AuditLog auditLog) {
    this.jdbc = jdbc;
    this.accounts = accounts;
    this.jetsons = jetsons;
    this.deviceTokens = deviceTokens;
    this.auditLog = auditLog;
  }

  @Transactional
  IssuedCode newCode(ApiKeyCaller caller, String username) {
    Account account = accounts.visible(caller, username, "enrollment-code.create");
    if (account.product() != Product.JETSON) {
      throw ApiProblemException.conflict(
          "Account '" + username + "' is a CLOUD account; only JETSON accounts enroll a Jetson.");
    }
    String code = Tokens.generate(Credentials.ENROLLMENT_CODE_PREFIX);
    Instant expiresAt =
        jdbc.sql(
                """
                INSERT INTO enrollment_code (code_hash, account_id, expires_at)
                VALUES (?, ?, now() + make_interval(secs => ?))
                RETURNING expires_at
                """)
            .params(Tokens.hash(code), account.id(), LIFETIME.toSeconds())
            .query(java.sql.Timestamp.class)
            .single()
            .toInstant();
    auditLog.success(caller, "enrollment-code.create", "account:" + username, account.id());
    return new IssuedCode(code, account.id(), username, expiresAt);
  }

  /**
   * Consumes the code (single use, atomically) and creates the Jetson with profile 1 and its first
   * device token. Any failure rolls the consumption back.
   */
  @Transactional
  Enrollment enroll(String code, String publicKey, String hostname, String sourceIp) {
    String key = PublicKeys.require("publicKey", publicKey);
    ConsumedCode consumed =
        Tokens.looksValid(code) && code.startsWith(Credentials.ENROLLMENT_CODE_PREFIX + "_")
            ? jdbc.sql(
                    """
                    UPDATE enrollment_code SET used_at = now()
                    WHERE code_hash = ? AND used_at IS NULL AND expires_at > now()
                    RETURNING id, account_id
                    """)
                .param(Tokens.hash(code))
                .query(
                    (rs, n) ->
                        new ConsumedCode(
                            rs.getObject("id", UUID.class), rs.getObject("account_id", UUID.class)))
                .optional()
                .orElse(null)
            : null;
    if (consumed == null) {
      auditLog.recordAlone(
          new AuditLog.Event(
              "anonymous",
              "jetson.enroll",
              "enrollment-code",
              sourceIp,
              AuditLog.Outcome.FAILURE,
              null,
              null,
              Map.of("reason", "unknown, used or expired code", "hostname", hostname)));
      throw new ApiProblemException(
          HttpStatus.UNAUTHORIZED,
          ProblemTypes.of("invalid-enrollment-code"),
          "Invalid enrollment code",
          "The enrollment code is unknown, already used or expired (codes live 15 minutes); ask for a new one.");
    }
    if (jetsons.hasActive(consumed.accountId())) {
      throw ApiProblemException.conflict(
          "This account already has an active Jetson; revoke it before enrolling another.");
    }
    UUID jetsonId;
    try {
      jetsonId = jetsons.insert(consumed.accountId(), hostname, key);
    } catch (DuplicateKeyException e) {
      throw ApiProblemException.conflict("This account already has an active Jetson.");
    }
    jdbc.sql("INSERT INTO profile (jetson_id, number, name) VALUES (?, 1, 'owner')")
        .param(jetsonId)
        .update();
    jdbc.sql("UPDATE enrollment_code SET jetson_id = ? WHERE id = ?")
        .params(jetsonId, consumed.id())
        .update();
    String token = deviceTokens.issue(jetsonId);
    Jetson jetson = jetsons.findById(jetsonId).orElseThrow();
    auditLog.record(
        new AuditLog.Event(
            "jetson:" + jetsonId,
            "jetson.enroll",
            "jetson:" + jetsonId,
            sourceIp,
            AuditLog.Outcome.SUCCESS,
            consumed.accountId(),
            null,
            Map.of("hostname", hostname, "publicKey", key)));
    return new Enrollment(jetson, token);
  }
}
