package dev.spoq.registry.jetson;

import dev.spoq.common.token.Tokens;
import dev.spoq.registry.security.Credentials;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Jetson device tokens: issued once, stored hashed; rotation revokes every earlier one. */
@Component
public class DeviceTokens {

  private final JdbcClient jdbc;

  DeviceTokens(JdbcClient jdbc) {
    this.jdbc = jdbc;
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

  public int revokeAll(UUID jetsonId) {
    return jdbc.sql(
            "UPDATE device_token SET revoked_at = now() WHERE jetson_id = ? AND revoked_at IS NULL")
        .param(jetsonId)
        .update();
  }
}
