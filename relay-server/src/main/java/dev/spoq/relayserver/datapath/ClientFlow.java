package dev.spoq.relayserver.datapath;

import java.net.InetSocketAddress;

/** One client source address talking to one Jetson, numbered for the agent. */
final class ClientFlow {

  final int id;
  final JetsonState jetson;
  final InetSocketAddress client;
  volatile long lastActiveNanos;

  ClientFlow(int id, JetsonState jetson, InetSocketAddress client, long now) {
    this.id = id;
    this.jetson = jetson;
    this.client = client;
    this.lastActiveNanos = now;
  }

  record Key(InetSocketAddress client, java.util.UUID jetsonId) {}
}
