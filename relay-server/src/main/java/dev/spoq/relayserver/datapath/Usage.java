package dev.spoq.relayserver.datapath;

import java.util.concurrent.atomic.LongAdder;

/** Bytes of WireGuard payload relayed for one Jetson since the relay started. */
final class Usage {
  final LongAdder toJetson = new LongAdder();
  final LongAdder fromJetson = new LongAdder();
}
