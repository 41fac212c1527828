package dev.spoq.relay.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-Jetson relay session key (contract C1): HMAC-SHA256 keyed with the relay credential over
 * {@code "spoq-relay-session-v1"}. The agent derives it from its credential; the coordinator hands
 * only this key to relay-server, so a relay never holds the credential itself.
 */
public final class SessionKeys {

  static final byte[] LABEL = "spoq-relay-session-v1".getBytes(StandardCharsets.US_ASCII);

  private SessionKeys() {}

  /** The 32-byte session key for a relay credential ({@code spoq_rly_...}). */
  public static byte[] derive(String relayCredential) {
    Objects.requireNonNull(relayCredential, "relayCredential");
    if (relayCredential.isEmpty()) {
      throw new IllegalArgumentException("relay credential is empty");
    }
    return hmac(relayCredential.getBytes(StandardCharsets.UTF_8), LABEL);
  }

  static byte[] hmac(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
