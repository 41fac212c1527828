package dev.spoq.common.wireguard;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * WireGuard key generation and derivation with the JDK's X25519, matching {@code wg genkey/pubkey}.
 */
public final class X25519 {

  private static final BigInteger BASE_POINT_U = BigInteger.valueOf(9);

  private X25519() {}

  /** A WireGuard key pair made on this machine. */
  public record KeyPair(WireGuardKey privateKey, WireGuardKey publicKey) {
    @Override
    public String toString() {
      return "KeyPair[publicKey=" + publicKey + "]";
    }
  }

  public static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("X25519");
      XECPrivateKey key = (XECPrivateKey) generator.generateKeyPair().getPrivate();
      byte[] scalar =
          key.getScalar().orElseThrow(() -> new IllegalStateException("X25519 key has no scalar"));
      clamp(scalar);
      WireGuardKey privateKey = WireGuardKey.of(scalar);
      return new KeyPair(privateKey, publicKeyOf(privateKey));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is required by every Java 17 runtime", e);
    }
  }

  /**
   * The public key of a private key: the scalar multiplied by the base point, as {@code wg pubkey}.
   */
  public static WireGuardKey publicKeyOf(WireGuardKey privateKey) {
    try {
      KeyFactory factory = KeyFactory.getInstance("XDH");
      PrivateKey priv =
          factory.generatePrivate(
              new XECPrivateKeySpec(NamedParameterSpec.X25519, privateKey.bytes()));
      PublicKey base =
          factory.generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519, BASE_POINT_U));
      KeyAgreement agreement = KeyAgreement.getInstance("XDH");
      agreement.init(priv);
      agreement.doPhase(base, true);
      return WireGuardKey.of(agreement.generateSecret());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 derivation failed", e);
    }
  }

  private static void clamp(byte[] scalar) {
    scalar[0] &= (byte) 248;
    scalar[31] &= (byte) 127;
    scalar[31] |= (byte) 64;
  }
}
