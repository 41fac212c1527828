package dev.spoq.common.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Bearer secrets: 256 random bits, shown once, stored only as a SHA-256 hash.
 *
 * <p>A token reads {@code <prefix>_<43 base64url chars>}; the prefix names its kind (for example
 * {@code spoq_dev} for device tokens) so a leaked token is easy to recognise in logs and scanners.
 */
public final class Tokens {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern SHAPE =
      Pattern.compile("[a-z][a-z0-9]{1,15}(_[a-z0-9]{1,15})?_[A-Za-z0-9_-]{43}");

  private Tokens() {}

  /** A new token with 256 bits of entropy. */
  public static String generate(String prefix) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Whether the text could be a token at all; a cheap check before any lookup. */
  public static boolean looksValid(String token) {
    return token != null && token.length() <= 80 && SHAPE.matcher(token).matches();
  }

  /** Hex SHA-256 of the token, the only form that is stored. */
  public static String hash(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  /** Compares two secrets in time independent of where they differ. */
  public static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
