package dev.spoq.fleetsim;

import java.util.UUID;

/** One enrolled Jetson and what its agent remembers between requests. */
final class SimulatedJetson {

  final int index;
  final UUID jetsonId;
  final String deviceToken;
  final String subdomain;
  final String publicIp;

  /** The peer set's ETag from the last 200 answer. */
  volatile String etag;

  /** Whether a peer request (poll or long-poll) is outstanding. */
  volatile boolean peerRequestInFlight;

  /** The device the churn added (revoked by the next churn event), or null. */
  volatile UUID churnDevice;

  /** System.nanoTime() when the last peer-set change was committed; 0 when none is pending. */
  volatile long changedAtNanos;

  SimulatedJetson(int index, UUID jetsonId, String deviceToken, String subdomain) {
    this.index = index;
    this.jetsonId = jetsonId;
    this.deviceToken = deviceToken;
    this.subdomain = subdomain;
    // A public address per Jetson (its home router's), outside reserved ranges.
    int host = index / 250;
    this.publicIp =
        "81." + (host / 250 % 250 + 1) + "." + (host % 250 + 1) + "." + (index % 250 + 1);
  }
}
