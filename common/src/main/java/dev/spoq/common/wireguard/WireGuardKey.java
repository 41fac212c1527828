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
