package dev.spoq.relay.protocol;

/**
 * WireGuard message headers, read without decrypting anything: type, size, sender and receiver
 * indices. All multi-byte fields are little-endian; bytes 1..3 of every message are zero.
 */
public final class WireGuardMessages {

  public static final int INITIATION = 1;
  public static final int RESPONSE = 2;
  public static final int COOKIE_REPLY = 3;
  public static final int TRANSPORT = 4;

  public static final int INITIATION_SIZE = 148;
  public static final int RESPONSE_SIZE = 92;
  public static final int COOKIE_REPLY_SIZE = 64;

  /** Header (16) plus an empty encrypted payload's tag (16): a keepalive. */
  public static final int TRANSPORT_MIN_SIZE = 32;

  /** Offset of mac1 in an initiation: it covers every byte before it. */
  public static final int INITIATION_MAC1_OFFSET = 116;

  private WireGuardMessages() {}

  /**
   * The message type (1..4) when the datagram is a well-formed WireGuard message of the right size,
   * else 0.
   */
  public static int type(byte[] buf, int off, int len) {
    if (len < 4 || buf[off + 1] != 0 || buf[off + 2] != 0 || buf[off + 3] != 0) {
      return 0;
    }
    int type = buf[off];
    return switch (type) {
      case INITIATION -> len == INITIATION_SIZE ? type : 0;
      case RESPONSE -> len == RESPONSE_SIZE ? type : 0;
      case COOKIE_REPLY -> len == COOKIE_REPLY_SIZE ? type : 0;
      // Padding to 16 stops at the MTU, so a full-size packet need not be 16-aligned.
      case TRANSPORT -> len >= TRANSPORT_MIN_SIZE ? type : 0;
      default -> 0;
    };
  }

  /** The sender index of an initiation or response. */
  public static int senderIndex(byte[] buf, int off) {
    return readIntLe(buf, off + 4);
  }

  /**
   * The receiver index: of a response (offset 8), a cookie reply or a transport message (offset 4).
   */
  public static int receiverIndex(byte[] buf, int off, int type) {
    return readIntLe(buf, off + (type == RESPONSE ? 8 : 4));
  }

  static int readIntLe(byte[] buf, int off) {
    return (buf[off] & 0xff)
        | (buf[off + 1] & 0xff) << 8
        | (buf[off + 2] & 0xff) << 16
        | (buf[off + 3] & 0xff) << 24;
  }
}
