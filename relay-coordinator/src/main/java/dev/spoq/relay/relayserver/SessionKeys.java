package dev.spoq.relay.relayserver;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Contract C1: a Jetson's relay session key is HMAC-SHA256(key = UTF-8 bytes of its relay
 * credential, message = ASCII "spoq-relay-session-v1"). The agent derives the same 32 bytes from
 * its credential; relay-server gets only the key, never the credential.
 */
final class SessionKeys {

  static final byte[] LABEL = "spoq-relay-session-v1".getBytes(StandardCharsets.US_ASCII);

  private SessionKeys() {}

  static byte[] derive(String relayCredential) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(relayCredential.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(LABEL);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every JDK", e);
    }
  }
}
