package dev.spoq.relayserver.frpgateway;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's memory of the coordinator's verdicts per frp session (run_id and credential), and
 * the coordinator's reachability. While the coordinator cannot be reached, a session it ALLOWED
 * within the last {@code window} may go on (Ping, NewWorkConn, NewUserConn); a session it rejected
 * stays rejected; anything else fails closed.
 */
final class StaleWindow {

  private record Verdict(boolean allowed, Instant at) {}

  private final Duration window;
  private final int maxSessions;
  private final Clock clock;
  private final Map<String, Verdict> sessions = new ConcurrentHashMap<>();
  private volatile Instant outageSince;
  private volatile boolean windowClosedLogged;

  StaleWindow(Duration window, int maxSessions, Clock clock) {
    this.window = window;
    this.maxSessions = maxSessions;
    this.clock = clock;
  }

  Duration window() {
    return window;
  }

  /** The coordinator answered for this session. */
  void remember(String session, boolean allowed) {
    if (sessions.size() >= maxSessions && !sessions.containsKey(session)) {
      purge();
      if (sessions.size() >= maxSessions) {
        return;
      }
    }
    sessions.put(session, new Verdict(allowed, clock.instant()));
  }

  /**
   * True when the coordinator allowed this session within the window and never rejected it since.
   */
  boolean allowsFromMemory(String session) {
    Verdict v = sessions.get(session);
    return v != null && v.allowed() && v.at().plus(window).isAfter(clock.instant());
  }

  /** Marks the coordinator unreachable; true when this opens an outage. */
  boolean coordinatorDown() {
    if (outageSince != null) {
      return false;
    }
    synchronized (this) {
      if (outageSince != null) {
        return false;
      }
      outageSince = clock.instant();
      windowClosedLogged = false;
      return true;
    }
  }

  /** Marks the coordinator reachable; the outage's length when this ends one, else null. */
  synchronized Duration coordinatorUp() {
    Instant since = outageSince;
    outageSince = null;
    return since == null ? null : Duration.between(since, clock.instant());
  }

  boolean inOutage() {
    return outageSince != null;
  }

  Instant outageSince() {
    return outageSince;
  }

  /** True once per outage, when it has lasted longer than the window. */
  synchronized boolean windowJustClosed() {
    Instant since = outageSince;
    if (since == null || windowClosedLogged || since.plus(window).isAfter(clock.instant())) {
      return false;
    }
    windowClosedLogged = true;
    return true;
  }

  int size() {
    return sessions.size();
  }

  /** Forgets verdicts older than the window (they can no longer allow anything). */
  void purge() {
    Instant limit = clock.instant().minus(window);
    sessions.values().removeIf(v -> v.at().isBefore(limit));
  }
}
