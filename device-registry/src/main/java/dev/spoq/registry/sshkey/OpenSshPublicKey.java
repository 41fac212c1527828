package dev.spoq.registry.sshkey;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An OpenSSH public key line ({@code type base64 [comment]}), fully decoded and checked: ed25519,
 * ECDSA (nistp256/384/521) and RSA of at least 3072 bits. The fingerprint matches {@code ssh-keygen
 * -lf}: {@code SHA256:} and the unpadded base64 of the SHA-256 of the key blob.
 */
public record OpenSshPublicKey(String type, String base64, String comment, int bits) {

  public static final int MIN_RSA_BITS = 3072;
  public static final int MAX_LINE = 8192;

  private static final Pattern COMMENT = Pattern.compile("[A-Za-z0-9@._+:=/ -]{0,100}");
  private static final Map<String, Integer> EC_POINT_LENGTHS =
      Map.of("nistp256", 65, "nistp384", 97, "nistp521", 133);

  /**
   * @throws IllegalArgumentException with a message safe to show to the caller
   */
  public static OpenSshPublicKey parse(String line) {
    if (line == null || line.isBlank()) {
      throw new IllegalArgumentException("the key is empty");
    }
    if (line.length() > MAX_LINE) {
      throw new IllegalArgumentException("the key line is longer than " + MAX_LINE + " characters");
    }
    String trimmed = line.strip();
    if (trimmed.chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
      throw new IllegalArgumentException("the key must be a single line of printable ASCII");
    }
    String[] parts = trimmed.split(" +", 3);
    if (parts.length < 2) {
      throw new IllegalArgumentException(
          "expected OpenSSH format 'type base64 [comment]', e.g. the content of id_ed25519.pub");
    }
    String type = parts[0];
    String comment = parts.length == 3 ? parts[2].strip() : "";
    if (!COMMENT.matcher(comment).matches()) {
      throw new IllegalArgumentException(
          "the comment may hold up to 100 letters, digits, spaces and @._+:=/-");
    }
    byte[] blob;
    try {
      blob = Base64.getDecoder().decode(parts[1]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key data is not valid base64");
    }
    ByteBuffer in = ByteBuffer.wrap(blob);
    String blobType = new String(readString(in), StandardCharsets.US_ASCII);
    if (!blobType.equals(type)) {
      throw new IllegalArgumentException(
          "the key data does not match its type '" + safe(type) + "'");
    }
    int bits;
    switch (type) {
      case "ssh-ed25519" -> {
        if (readString(in).length != 32) {
          throw new IllegalArgumentException("an ed25519 key must be 32 bytes");
        }
        bits = 256;
      }
      case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" -> {
        String curve = new String(readString(in), StandardCharsets.US_ASCII);
        if (!type.endsWith(curve)) {
          throw new IllegalArgumentException("the ECDSA curve does not match the key type");
        }
        byte[] point = readString(in);
        if (point.length != EC_POINT_LENGTHS.get(curve) || point[0] != 0x04) {
          throw new IllegalArgumentException(
              "the ECDSA point is not an uncompressed " + curve + " point");
        }
        bits = Integer.parseInt(curve.substring("nistp".length()));
      }
      case "ssh-rsa" -> {
        BigInteger e = new BigInteger(readString(in));
        BigInteger n = new BigInteger(readString(in));
        if (e.signum() <= 0 || !e.testBit(0) || n.signum() <= 0) {
          throw new IllegalArgumentException("the RSA key is malformed");
        }
        bits = n.bitLength();
        if (bits < MIN_RSA_BITS) {
          throw new IllegalArgumentException(
              "RSA keys need at least " + MIN_RSA_BITS + " bits (this one has " + bits + ")");
        }
      }
      default ->
          throw new IllegalArgumentException(
              "unsupported key type '"
                  + safe(type)
                  + "'; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa (>= 3072 bits)");
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("the key data has trailing bytes");
    }
    return new OpenSshPublicKey(type, Base64.getEncoder().encodeToString(blob), comment, bits);
  }

  /** {@code SHA256:...} as {@code ssh-keygen -lf} prints it. */
  public String fingerprint() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(base64));
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  /** {@code type base64} without the comment (for host keys and known_hosts). */
  public String keyOnly() {
    return type + " " + base64;
  }

  /** The normalised line: {@code type base64 [comment]}. */
  public String line() {
    return comment.isEmpty() ? keyOnly() : keyOnly() + " " + comment;
  }

  private static byte[] readString(ByteBuffer in) {
    if (in.remaining() < 4) {
      throw new IllegalArgumentException("the key data is truncated");
    }
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("the key data is truncated");
    }
    byte[] value = new byte[length];
    in.get(value);
    return value;
  }

  private static String safe(String s) {
    String cut = s.length() > 40 ? s.substring(0, 40) : s;
    return cut.replaceAll("[^A-Za-z0-9@._-]", "?");
  }
}
