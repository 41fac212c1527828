package dev.spoq.relay.assignment;

import dev.spoq.common.token.Tokens;
import dev.spoq.relay.config.RelaySecrets;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Per-Jetson relay credentials ({@code spoq_rly_...}, 256 bits). The plaintext is never stored: it
 * is HMAC-SHA256(credential-key, "{jetsonId}:{generation}"), so the coordinator can show it to the
 * Jetson in every assignment answer, and the table keeps only its SHA-256 for the frps plugin's
 * look-up. Rotating bumps the generation: the old credential stops working at once.
 */
@Component
public class RelayCredentials {

  public static final String PREFIX = "spoq_rly";

  private final JdbcClient jdbc;
  private final byte[] key;

  RelayCredentials(JdbcClient jdbc, RelaySecrets secrets) {
    this.jdbc = jdbc;
    this.key = secrets.credentialKey();
  }

  /** Issues (first call) or re-derives the Jetson's credential. Call inside a transaction. */
  public String current(UUID jetsonId) {
    Optional<Stored> stored =
        jdbc.sql(
                "SELECT generation, token_hash FROM relay_credential WHERE jetson_id = ? FOR UPDATE")
            .param(jetsonId)
            .query((rs, n) -> new Stored(rs.getInt("generation"), rs.getString("token_hash")))
            .optional();
    if (stored.isEmpty()) {
      String credential = derive(jetsonId, 1);
      jdbc.sql(
              "INSERT INTO relay_credential (jetson_id, generation, token_hash) VALUES (?, 1, ?)"
                  + " ON CONFLICT (jetson_id) DO NOTHING")
          .params(jetsonId, Tokens.hash(credential))
          .update();
      return current(jetsonId);
    }
    String credential = derive(jetsonId, stored.get().generation());
    String hash = Tokens.hash(credential);
    // Self-heal after a credential-key change: the stored hash follows the derivation.
    if (!hash.equals(stored.get().tokenHash())) {
      jdbc.sql("UPDATE relay_credential SET token_hash = ? WHERE jetson_id = ?")
          .params(hash, jetsonId)
          .update();
    }
    return credential;
  }

  private record Stored(int generation, String tokenHash) {}

  /** Replaces the Jetson's credential; the previous one is refused from now on. */
  public String rotate(UUID jetsonId) {
    current(jetsonId);
    int generation =
        jdbc.sql(
                "UPDATE relay_credential SET generation = generation + 1, issued_at = now()"
                    + " WHERE jetson_id = ? RETURNING generation")
            .param(jetsonId)
            .query(Integer.class)
            .single();
    String credential = derive(jetsonId, generation);
    jdbc.sql("UPDATE relay_credential SET token_hash = ? WHERE jetson_id = ?")
        .params(Tokens.hash(credential), jetsonId)
        .update();
    return credential;
  }

  /** Whether the text has the shape of a relay credential (cheap check before any look-up). */
  public static boolean looksLikeCredential(String text) {
    return Tokens.looksValid(text) && text.startsWith(PREFIX + "_");
  }

  /** The password of the Jetson's frpc admin API (stable; derived like the credential). */
  public String frpcAdminPassword(UUID jetsonId) {
    return "spoq_fad_" + derive(jetsonId, -1).substring(PREFIX.length() + 1);
  }

  /** The credential of a Jetson at a given generation (what its agent holds). */
  public String credentialAt(UUID jetsonId, int generation) {
    return derive(jetsonId, generation);
  }

  private String derive(UUID jetsonId, int generation) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((jetsonId + ":" + generation).getBytes(StandardCharsets.UTF_8));
      return PREFIX + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
    }
  }
}
