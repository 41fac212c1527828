package dev.spoq.common.wireguard;

import java.util.Arrays;
import java.util.Base64;

/**
 * A Curve25519 key as WireGuard writes it: base64 of exactly 32 bytes. Instances are always valid;
 * use {@link #parse(String)} at the edges.
 */
public final class WireGuardKey {

  public static final int LENGTH = 32;

  private final byte[] bytes;

  private WireGuardKey(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * Parses a base64 key.
   *
   * @throws IllegalArgumentException with a message safe to show to the caller
   */
  public static WireGuardKey parse(String base64) {
    if (base64 == null || base64.isBlank()) {
      throw new IllegalArgumentException("key is empty");
    }
    if (base64.length() != 44 || !base64.endsWith("=")) {
      throw new IllegalArgumentException("key must be 44 characters of base64 (32 bytes)");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key is not valid base64");
    }
    return of(decoded);
  }

  /**
   * Parses a base64 <em>public</em> key and refuses what no honest peer sends: a non-canonical
   * encoding (the top bit set, or a u-coordinate of at least 2^255 - 19) and the points of small
   * order (u = 0, 1, p - 1 and the two of order 8), with which a handshake's shared secret is known
   * to anyone. libsodium and WireGuard implementations refuse the same keys.
   *
   * @throws IllegalArgumentException with a message safe to show to the caller
   */
  public static WireGuardKey parsePublic(String base64) {
    WireGuardKey key = parse(base64);
    byte[] b = key.bytes;
    if ((b[31] & 0x80) != 0 || !lessThanP(b)) {
      throw new IllegalArgumentException("key is not a canonical Curve25519 public key");
    }
    for (byte[] weak : SMALL_ORDER) {
      if (Arrays.equals(weak, b)) {
        throw new IllegalArgumentException("key is a small-order point, not a usable public key");
      }
    }
    return key;
  }

  /** Canonical u-coordinates of the points of order 1, 2, 4 and 8 (little-endian). */
  private static final byte[][] SMALL_ORDER = {
    hex("0000000000000000000000000000000000000000000000000000000000000000"),
    hex("0100000000000000000000000000000000000000000000000000000000000000"),
    hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    hex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
  };

  /** Whether the little-endian 255-bit value is below p = 2^255 - 19. */
  private static boolean lessThanP(byte[] le) {
    // p = 0x7fff...ffed (little-endian: ed ff .. ff 7f)
    if ((le[31] & 0xff) != 0x7f) {
      return (le[31] & 0xff) < 0x7f;
    }
    for (int i = 30; i >= 1; i--) {
      if ((le[i] & 0xff) != 0xff) {
        return true;
      }
    }
    return (le[0] & 0xff) < 0xed;
  }

  private static byte[] hex(String s) {
    return java.util.HexFormat.of().parseHex(s);
  }

  public static WireGuardKey of(byte[] raw) {
    if (raw.length != LENGTH) {
      throw new IllegalArgumentException("key must be exactly 32 bytes");
    }
    boolean allZero = true;
    for (byte b : raw) {
      allZero &= b == 0;
    }
    if (allZero) {
      throw new IllegalArgumentException("key must not be all zeros");
    }
    return new WireGuardKey(raw.clone());
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  public String base64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WireGuardKey other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  /** The base64 form; safe for public keys only, so never call it on a private key in logs. */
  @Override
  public String toString() {
    return base64();
  }
}
