package dev.spoq.relayserver.datapath;

/** Why a datagram was dropped (the {@code reason} tag of {@code spoq_relay_dropped_total}). */
enum DropReason {
  /** Not a WireGuard message of a valid type and size (client port), or not a relay frame. */
  MALFORMED,
  /** An initiation whose mac1 matches no Jetson of this relay. */
  NO_MATCH,
  /** A type 2/3/4 message whose receiver index the relay has not learned. */
  NO_ROUTE,
  /** The Jetson has no live agent session. */
  NO_SESSION,
  /** Over the per-source rate. */
  RATE_SOURCE,
  /** Over the relay-wide mac1 scan rate. */
  RATE_GLOBAL,
  /** A table is full. */
  TABLE_FULL,
  /** A hello from an unknown Jetson, with a bad tag, stale timestamp or a reused nonce. */
  HELLO_REFUSED,
  /** A session frame with an unknown session, a bad tag or a replayed counter. */
  UNAUTHENTICATED,
  /** A DATA frame for a flow the relay does not hold. */
  NO_FLOW;

  String tag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
