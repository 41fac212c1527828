package dev.spoq.relay.protocol;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The agent/relay session wire format (docs/relay-protocol.md). Every frame starts with a type byte
 * WireGuard never uses (0xA1..0xA5), a version byte and two zero bytes.
 *
 * <pre>
 * HELLO      (agent to relay, 76 B): hdr(4) jetsonId(16) timestampMillis(8) agentNonce(16) tag(32)
 * HELLO_ACK  (relay to agent, 76 B): hdr(4) sessionId(8) relayNonce(16) agentNonce(16)  tag(32)
 *            tag = HMAC-SHA256(sessionKey, all bytes before the tag)
 * DATA, KEEPALIVE, KEEPALIVE_ACK:    hdr(4) sessionId(8) counter(8) flowId(4) payload tag(16)
 *            tag = HMAC-SHA256(directionKey, all bytes before the tag), first 16 bytes
 * </pre>
 *
 * All integers are big-endian.
 */
public final class RelayFrames {

  public static final byte VERSION = 1;
  public static final byte HELLO = (byte) 0xA1;
  public static final byte HELLO_ACK = (byte) 0xA2;
  public static final byte DATA = (byte) 0xA3;
  public static final byte KEEPALIVE = (byte) 0xA4;
  public static final byte KEEPALIVE_ACK = (byte) 0xA5;

  public static final int HELLO_SIZE = 76;
  public static final int HELLO_ACK_SIZE = 76;
  public static final int NONCE_SIZE = 16;
  static final int HELLO_TAG_OFFSET = 44;

  /** Bytes before the payload of a session frame. */
  public static final int HEADER = 24;

  public static final int TAG = 16;

  /** What a session frame adds to the payload it carries. */
  public static final int OVERHEAD = HEADER + TAG;

  private RelayFrames() {}

  /** The frame type when the header is well-formed and of this version, else 0. */
  public static byte type(byte[] buf, int len) {
    if (len < 4 || buf[1] != VERSION || buf[2] != 0 || buf[3] != 0) {
      return 0;
    }
    byte type = buf[0];
    return switch (type) {
      case HELLO -> len == HELLO_SIZE ? type : 0;
      case HELLO_ACK -> len == HELLO_ACK_SIZE ? type : 0;
      case DATA, KEEPALIVE, KEEPALIVE_ACK -> len >= OVERHEAD ? type : 0;
      default -> 0;
    };
  }

  /** The authenticated agent hello. */
  public record Hello(UUID jetsonId, long timestampMillis, byte[] agentNonce) {

    public byte[] encode(byte[] sessionKey) {
      ByteBuffer b = ByteBuffer.allocate(HELLO_SIZE);
      b.put(HELLO).put(VERSION).put((byte) 0).put((byte) 0);
      b.putLong(jetsonId.getMostSignificantBits()).putLong(jetsonId.getLeastSignificantBits());
      b.putLong(timestampMillis).put(agentNonce);
      byte[] out = b.array();
      System.arraycopy(hmac(sessionKey, out, HELLO_TAG_OFFSET), 0, out, HELLO_TAG_OFFSET, 32);
      return out;
    }

    /** Reads the fields of a HELLO-typed frame without verifying it. */
    public static Hello peek(byte[] buf) {
      ByteBuffer b = ByteBuffer.wrap(buf, 4, HELLO_SIZE - 4);
      UUID id = new UUID(b.getLong(), b.getLong());
      long ts = b.getLong();
      byte[] nonce = new byte[NONCE_SIZE];
      b.get(nonce);
      return new Hello(id, ts, nonce);
    }

    /** True when the HELLO frame's tag is right for this session key. */
    public static boolean verify(byte[] buf, byte[] sessionKey) {
      return MessageDigest.isEqual(
          hmac(sessionKey, buf, HELLO_TAG_OFFSET),
          Arrays.copyOfRange(buf, HELLO_TAG_OFFSET, HELLO_SIZE));
    }
  }

  /** The relay's answer to a hello: a session id and the relay's nonce. */
  public record HelloAck(long sessionId, byte[] relayNonce, byte[] agentNonce) {

    public byte[] encode(byte[] sessionKey) {
      ByteBuffer b = ByteBuffer.allocate(HELLO_ACK_SIZE);
      b.put(HELLO_ACK).put(VERSION).put((byte) 0).put((byte) 0);
      b.putLong(sessionId).put(relayNonce).put(agentNonce);
      byte[] out = b.array();
      System.arraycopy(hmac(sessionKey, out, HELLO_TAG_OFFSET), 0, out, HELLO_TAG_OFFSET, 32);
      return out;
    }

    public static HelloAck peek(byte[] buf) {
      ByteBuffer b = ByteBuffer.wrap(buf, 4, HELLO_ACK_SIZE - 4);
      long id = b.getLong();
      byte[] relayNonce = new byte[NONCE_SIZE];
      byte[] agentNonce = new byte[NONCE_SIZE];
      b.get(relayNonce).get(agentNonce);
      return new HelloAck(id, relayNonce, agentNonce);
    }

    public static boolean verify(byte[] buf, byte[] sessionKey) {
      return Hello.verify(buf, sessionKey);
    }
  }

  /** The session id of a session frame (DATA, KEEPALIVE, KEEPALIVE_ACK). */
  public static long sessionId(byte[] buf) {
    return ByteBuffer.wrap(buf).getLong(4);
  }

  public static long counter(byte[] buf) {
    return ByteBuffer.wrap(buf).getLong(12);
  }

  public static int flowId(byte[] buf) {
    return ByteBuffer.wrap(buf).getInt(20);
  }

  static byte[] hmac(byte[] key, byte[] buf, int len) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      mac.update(buf, 0, len);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
