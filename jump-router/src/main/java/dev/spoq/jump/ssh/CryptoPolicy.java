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
import org.apache.sshd.server.SshServer;

/**
 * Modern algorithms only, for both the listener and the upstream client: curve25519 (and the
 * post-quantum hybrids where supported) or NIST ECDH key exchange; ed25519, ECDSA and RSA with
 * SHA-2 signatures; AES-GCM on the listener, AEAD ciphers or AES-CTR with encrypt-then-MAC SHA-2
 * MACs towards containers. No SHA-1, no CBC, no classic DH groups, no compression.
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

  /**
   * What the listener offers: AES-GCM only. SSH clients pick the first of *their* list the server
   * offers, and OpenSSH lists chacha20-poly1305 first; MINA's ChaCha20-Poly1305 is plain Java and
   * took 77 % of the router's CPU in a ProxyJump bulk transfer (JFR), while the JDK's AES-GCM runs
   * on AES-NI and carry-less multiply intrinsics. Clients without AES-GCM (PuTTY before 0.76) are
   * refused.
   */
  static final List<BuiltinCiphers> SERVER_CIPHERS =
      List.of(BuiltinCiphers.aes128gcm, BuiltinCiphers.aes256gcm);

  /** What the upstream client prefers towards containers: AES-GCM first, the rest for old sshd. */
  static final List<BuiltinCiphers> CLIENT_CIPHERS =
      List.of(
          BuiltinCiphers.aes128gcm,
          BuiltinCiphers.aes256gcm,
          BuiltinCiphers.cc20p1305_openssh,
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
    manager.setCipherFactories(
        supported(manager instanceof SshServer ? SERVER_CIPHERS : CLIENT_CIPHERS));
    manager.setMacFactories(supported(MACS));
    manager.setSignatureFactories(supported(SIGNATURES));
    manager.setCompressionFactories(supported(List.of(BuiltinCompressions.none)));
  }

  private static <T, F extends NamedFactory<T> & OptionalFeature> List<NamedFactory<T>> supported(
      List<F> all) {
    return all.stream().filter(OptionalFeature::isSupported).map(f -> (NamedFactory<T>) f).toList();
  }
}
