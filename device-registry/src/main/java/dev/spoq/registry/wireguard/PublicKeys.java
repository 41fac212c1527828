package dev.spoq.registry.wireguard;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.wireguard.WireGuardKey;

/** Validation of WireGuard public keys arriving in requests. */
public final class PublicKeys {

  private PublicKeys() {}

  /**
   * The key in canonical base64, or a 400 naming the field.
   *
   * @throws ApiProblemException when it is not base64 of exactly 32 bytes, all zeros, a small-order
   *     point or a non-canonical encoding
   */
  public static String require(String field, String value) {
    try {
      return WireGuardKey.parsePublic(value).base64();
    } catch (IllegalArgumentException e) {
      throw ApiProblemException.invalid(
          field + ": " + e.getMessage() + " (a WireGuard public key, as printed by 'wg pubkey').");
    }
  }
}
