package dev.spoq.relayserver.datapath;

import dev.spoq.relay.protocol.Mac1;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** One Jetson of the current set: its keys, its agent session and its client flows. */
final class JetsonState {

  final UUID id;
  final byte[] publicKey;
  final byte[] sessionKey;

  /** Used only by the client-port thread (Mac1 is not thread-safe). */
  final Mac1 mac1;

  final Usage usage;
  final ConcurrentHashMap<Integer, ClientFlow> flows = new ConcurrentHashMap<>();
  final AtomicInteger nextFlowId = new AtomicInteger(1);
  final AtomicInteger indices = new AtomicInteger();

  volatile AgentSession session;
  volatile AgentSession pending;
  volatile boolean removed;

  JetsonState(UUID id, byte[] publicKey, byte[] sessionKey, Usage usage) {
    this.id = id;
    this.publicKey = publicKey.clone();
    this.sessionKey = sessionKey.clone();
    this.mac1 = new Mac1(publicKey);
    this.usage = usage;
  }

  boolean sameKeys(byte[] otherPublicKey, byte[] otherSessionKey) {
    return Arrays.equals(publicKey, otherPublicKey) && Arrays.equals(sessionKey, otherSessionKey);
  }
}
