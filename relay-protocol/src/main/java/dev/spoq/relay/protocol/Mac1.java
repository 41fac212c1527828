package dev.spoq.relay.protocol;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.bouncycastle.crypto.digests.Blake2sDigest;

/**
 * Checks the {@code mac1} of a WireGuard handshake initiation against one Jetson's public key:
 * {@code mac1 = MAC(HASH("mac1----" || publicKey), initiation[0..116))} with HASH = BLAKE2s-256 and
 * MAC = keyed BLAKE2s-128. Proves nothing about the sender; it only tells whom the initiation is
 * for.
 *
 * <p>Not thread-safe: each routing thread keeps its own instances. (doFinal leaves the keyed digest
 * reset for the next message.)
 */
public final class Mac1 {

  private static final byte[] LABEL = "mac1----".getBytes(StandardCharsets.US_ASCII);

  private final Blake2sDigest mac;
  private final byte[] out = new byte[16];

  public Mac1(byte[] publicKey) {
    this.mac = new Blake2sDigest(key(publicKey), 16, null, null);
  }

  /** {@code HASH("mac1----" || publicKey)}. */
  public static byte[] key(byte[] publicKey) {
    if (publicKey.length != 32) {
      throw new IllegalArgumentException("a WireGuard public key has 32 bytes");
    }
    Blake2sDigest hash = new Blake2sDigest(256);
    hash.update(LABEL, 0, LABEL.length);
    hash.update(publicKey, 0, publicKey.length);
    byte[] key = new byte[32];
    hash.doFinal(key, 0);
    return key;
  }

  /** The mac1 this key gives for the first 116 bytes of an initiation at {@code off}. */
  public byte[] compute(byte[] initiation, int off) {
    mac.update(initiation, off, WireGuardMessages.INITIATION_MAC1_OFFSET);
    byte[] result = new byte[16];
    mac.doFinal(result, 0);
    return result;
  }

  /** True when the initiation at {@code off} carries this key's mac1. */
  public boolean matches(byte[] initiation, int off) {
    mac.update(initiation, off, WireGuardMessages.INITIATION_MAC1_OFFSET);
    mac.doFinal(out, 0);
    int diff = 0;
    for (int i = 0; i < 16; i++) {
      diff |= out[i] ^ initiation[off + WireGuardMessages.INITIATION_MAC1_OFFSET + i];
    }
    return diff == 0;
  }

  static boolean constantTimeEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
