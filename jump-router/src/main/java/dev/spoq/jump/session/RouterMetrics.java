package dev.spoq.jump.session;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** The router's Micrometer meters ({@code spoq.jump.*}). */
public class RouterMetrics {

  private final MeterRegistry meters;
  private final AtomicInteger activeSessions = new AtomicInteger();
  private final AtomicInteger unauthenticated = new AtomicInteger();
  private final Counter authFailures;
  private final Counter authSuccesses;
  private final Counter bytesUp;
  private final Counter bytesDown;

  public RouterMetrics(MeterRegistry meters) {
    this.meters = meters;
    meters.gauge("spoq.jump.sessions.active", activeSessions);
    meters.gauge("spoq.jump.sessions.unauthenticated", unauthenticated);
    authFailures = meters.counter("spoq.jump.auth", "result", "failure");
    authSuccesses = meters.counter("spoq.jump.auth", "result", "success");
    meters.counter("spoq.jump.bans", "scope", "user");
    meters.counter("spoq.jump.bans", "scope", "address");
    bytesUp =
        Counter.builder("spoq.jump.bytes.relayed")
            .tag("direction", "client-to-target")
            .baseUnit("bytes")
            .register(meters);
    bytesDown =
        Counter.builder("spoq.jump.bytes.relayed")
            .tag("direction", "target-to-client")
            .baseUnit("bytes")
            .register(meters);
  }

  public AtomicInteger activeSessions() {
    return activeSessions;
  }

  public AtomicInteger unauthenticatedConnections() {
    return unauthenticated;
  }

  public void authFailure() {
    authFailures.increment();
  }

  public void authSuccess() {
    authSuccesses.increment();
  }

  public void ban(String scope) {
    meters.counter("spoq.jump.bans", "scope", scope).increment();
  }

  /** Connections that ended without authenticating (raw probes, wrong keys, stalled kex). */
  public void closedUnauthenticated() {
    meters.counter("spoq.jump.connections.unauthenticated.closed").increment();
  }

  public void connectionRefused(String reason) {
    meters.counter("spoq.jump.connections.refused", "reason", reason).increment();
  }

  public void channelRefused(String reason) {
    meters.counter("spoq.jump.channels.refused", "reason", reason).increment();
  }

  public void forward(String outcome) {
    meters.counter("spoq.jump.forwards", "outcome", outcome).increment();
  }

  public void relayed(long clientToTarget, long targetToClient) {
    if (clientToTarget > 0) {
      bytesUp.increment(clientToTarget);
    }
    if (targetToClient > 0) {
      bytesDown.increment(targetToClient);
    }
  }
}
