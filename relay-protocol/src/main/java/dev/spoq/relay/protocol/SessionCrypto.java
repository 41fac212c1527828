package dev.spoq.relay.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * One side's keys for an established session: it seals what it sends (its own counter) and opens
 * what it receives (tag check, then the replay window). Keys are per session and per direction:
 * {@code prk = HMAC(sessionKey, "spoq-relay-v1 keys" || sessionId || agentNonce || relayNonce)},
 * {@code key(dir) = HMAC(prk, dir)} with dir {@code "agent->relay"} or {@code "relay->agent"}.
 */
public final class SessionCrypto {

  private static final byte[] KEYS_LABEL = "spoq-relay-v1 keys".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] AGENT_TO_RELAY = "agent->relay".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RELAY_TO_AGENT = "relay->agent".getBytes(StandardCharsets.US_ASCII);

  private final long sessionId;
  private final Mac sealMac;
  private final Mac openMac;
  private final byte[] sealTag = new byte[32];
  private final byte[] openTag = new byte[32];
  private final ReplayWindow window = new ReplayWindow();
  private long sendCounter;

  private SessionCrypto(long sessionId, byte[] sealKey, byte[] openKey) {
    this.sessionId = sessionId;
    this.sealMac = mac(sealKey);
    this.openMac = mac(openKey);
  }

  /** The agent's side of a session. */
  public static SessionCrypto agent(
      byte[] sessionKey, long sessionId, byte[] agentNonce, byte[] relayNonce) {
    byte[] prk = prk(sessionKey, sessionId, agentNonce, relayNonce);
    return new SessionCrypto(
        sessionId, SessionKeys.hmac(prk, AGENT_TO_RELAY), SessionKeys.hmac(prk, RELAY_TO_AGENT));
  }

  /** The relay's side of a session. */
  public static SessionCrypto relay(
      byte[] sessionKey, long sessionId, byte[] agentNonce, byte[] relayNonce) {
    byte[] prk = prk(sessionKey, sessionId, agentNonce, relayNonce);
    return new SessionCrypto(
        sessionId, SessionKeys.hmac(prk, RELAY_TO_AGENT), SessionKeys.hmac(prk, AGENT_TO_RELAY));
  }

  public long sessionId() {
    return sessionId;
  }

  /**
   * Writes header and tag around a payload already placed at {@code buf[HEADER..HEADER+len)};
   * returns the frame length.
   */
  public synchronized int seal(byte type, int flowId, byte[] buf, int payloadLength) {
    ByteBuffer b = ByteBuffer.wrap(buf);
    b.put(0, type).put(1, RelayFrames.VERSION).put(2, (byte) 0).put(3, (byte) 0);
    b.putLong(4, sessionId).putLong(12, sendCounter++).putInt(20, flowId);
    int end = RelayFrames.HEADER + payloadLength;
    try {
      sealMac.update(buf, 0, end);
      sealMac.doFinal(sealTag, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    System.arraycopy(sealTag, 0, buf, end, RelayFrames.TAG);
    return end + RelayFrames.TAG;
  }

  /**
   * True when the session frame in {@code buf[0..len)} carries this session's id, a valid tag and a
   * counter not seen before. Nothing else about it may be trusted otherwise.
   */
  public synchronized boolean open(byte[] buf, int len) {
    if (len < RelayFrames.OVERHEAD || RelayFrames.sessionId(buf) != sessionId) {
      return false;
    }
    int end = len - RelayFrames.TAG;
    try {
      openMac.update(buf, 0, end);
      openMac.doFinal(openTag, 0);
    } catch (ShortBufferException e) {
      throw new IllegalStateException(e);
    }
    int diff = 0;
    for (int i = 0; i < RelayFrames.TAG; i++) {
      diff |= openTag[i] ^ buf[end + i];
    }
    return diff == 0 && window.accept(RelayFrames.counter(buf));
  }

  private static byte[] prk(
      byte[] sessionKey, long sessionId, byte[] agentNonce, byte[] relayNonce) {
    byte[] id = ByteBuffer.allocate(8).putLong(sessionId).array();
    return SessionKeys.hmac(sessionKey, KEYS_LABEL, id, agentNonce, relayNonce);
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
