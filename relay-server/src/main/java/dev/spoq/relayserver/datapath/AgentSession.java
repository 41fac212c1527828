package dev.spoq.relayserver.datapath;

import dev.spoq.relay.protocol.SessionCrypto;
import java.net.InetSocketAddress;
import java.time.Instant;

/** An agent's authenticated session; pending until its first authenticated frame arrives. */
final class AgentSession {

  final long id;
  final JetsonState jetson;
  final SessionCrypto crypto;
  final long createdNanos;
  volatile Instant upSince;
  volatile InetSocketAddress agentAddress;
  volatile long lastHeardNanos;

  AgentSession(
      long id, JetsonState jetson, SessionCrypto crypto, InetSocketAddress agent, long now) {
    this.id = id;
    this.jetson = jetson;
    this.crypto = crypto;
    this.agentAddress = agent;
    this.createdNanos = now;
    this.lastHeardNanos = now;
  }
}
