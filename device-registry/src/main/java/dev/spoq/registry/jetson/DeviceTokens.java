package dev.spoq.registry.jetson;

import dev.spoq.common.token.Tokens;
import dev.spoq.registry.push.RevocationLog;
import dev.spoq.registry.security.Credentials;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Jetson device tokens: issued once, stored hashed; rotation revokes every earlier one. */
@Component
public class DeviceTokens {

  private final JdbcClient jdbc;
  private final RevocationLog revocations;

  DeviceTokens(JdbcClient jdbc, RevocationLog revocations) {
    this.jdbc = jdbc;
    this.revocations = revocations;
  }

  /** Revokes the Jetson's tokens and issues a new one; returns the secret (shown once). */
  public String issue(UUID jetsonId) {
    revokeAll(jetsonId);
    String token = Tokens.generate(Credentials.DEVICE_TOKEN_PREFIX);
    jdbc.sql("INSERT INTO device_token (token_hash, jetson_id) VALUES (?, ?)")
        .params(Tokens.hash(token), jetsonId)
        .update();
    return token;
  }

  /** Revokes the Jetson's active tokens, each with a revocation-feed event (same transaction). */
  public int revokeAll(UUID jetsonId) {
    int revoked =
        jdbc.sql(
                """
                WITH revoked AS (
                  UPDATE device_token SET revoked_at = now()
                  WHERE jetson_id = ? AND revoked_at IS NULL
                  RETURNING token_hash, jetson_id)
                INSERT INTO revocation_event (kind, token_hash, jetson_id, account_id, username)
                SELECT 'DEVICE_TOKEN', r.token_hash, r.jetson_id, a.id, a.username
                FROM revoked r JOIN jetson j ON j.id = r.jetson_id JOIN account a ON a.id = j.account_id
                """)
            .param(jetsonId)
            .update();
    if (revoked > 0) {
      revocations.announce();
    }
    return revoked;
  }
}
