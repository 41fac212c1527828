package dev.spoq.jump.ssh;

import java.util.List;
import java.util.function.Function;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.OptionalFeature;
import org.apache.sshd.common.cipher.BuiltinCiphers;
import org.apache.sshd.common.compression.BuiltinCompressions;
import org.apache.sshd.common.helpers.AbstractFactoryManager;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.DHFactory;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.mac.BuiltinMacs;
import org.apache.sshd.common.signature.BuiltinSignatures;

/**
 * Modern algorithms only, for both the listener and the upstream client: curve25519 (and the
 * post-quantum hybrids where supported) or NIST ECDH key exchange; ed25519, ECDSA and RSA with
 * SHA-2 signatures; AEAD ciphers or AES-CTR with encrypt-then-MAC SHA-2 MACs. No SHA-1, no CBC, no
 * classic DH groups, no compression.
 */
public final class CryptoPolicy {

  static final List<BuiltinDHFactories> KEX =
      List.of(
          BuiltinDHFactories.mlkem768x25519,
          BuiltinDHFactories.sntrup761x25519_openssh,
          BuiltinDHFactories.sntrup761x25519,
          BuiltinDHFactories.curve25519,
          BuiltinDHFactories.curve25519_libssh,
          BuiltinDHFactories.ecdhp256,
          BuiltinDHFactories.ecdhp384,
          BuiltinDHFactories.ecdhp521);

  static final List<BuiltinCiphers> CIPHERS =
      List.of(
          BuiltinCiphers.cc20p1305_openssh,
          BuiltinCiphers.aes256gcm,
          BuiltinCiphers.aes128gcm,
          BuiltinCiphers.aes256ctr,
          BuiltinCiphers.aes192ctr,
          BuiltinCiphers.aes128ctr);

  static final List<BuiltinMacs> MACS =
      List.of(BuiltinMacs.hmacsha512etm, BuiltinMacs.hmacsha256etm);

  static final List<BuiltinSignatures> SIGNATURES =
      List.of(
          BuiltinSignatures.ed25519,
          BuiltinSignatures.sk_ssh_ed25519,
          BuiltinSignatures.nistp256,
          BuiltinSignatures.nistp384,
          BuiltinSignatures.nistp521,
          BuiltinSignatures.sk_ecdsa_sha2_nistp256,
          BuiltinSignatures.rsaSHA512,
          BuiltinSignatures.rsaSHA256);

  private CryptoPolicy() {}

  /** Applies the policy; {@code dh2kex} is {@code ServerBuilder.DH2KEX} or ClientBuilder's. */
  public static void apply(
      AbstractFactoryManager manager, Function<DHFactory, KeyExchangeFactory> dh2kex) {
    manager.setKeyExchangeFactories(
        KEX.stream().filter(OptionalFeature::isSupported).map(dh2kex).toList());
    manager.setCipherFactories(supported(CIPHERS));
    manager.setMacFactories(supported(MACS));
    manager.setSignatureFactories(supported(SIGNATURES));
    manager.setCompressionFactories(supported(List.of(BuiltinCompressions.none)));
  }

  private static <T, F extends NamedFactory<T> & OptionalFeature> List<NamedFactory<T>> supported(
      List<F> all) {
    return all.stream().filter(OptionalFeature::isSupported).map(f -> (NamedFactory<T>) f).toList();
  }
}
