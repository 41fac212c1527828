package dev.spoq.agent.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The failover state machine. The direct path fails after {@code failThreshold} consecutive bad
 * checks; the path then becomes "relay" at once. It fails back to "direct" only after the direct
 * path has been healthy without interruption for {@code failbackAfter} (hysteresis).
 */
public class PathMonitor {

  public enum Path {
    DIRECT,
    RELAY,
    NONE;

    public String wire() {
      return name().toLowerCase();
    }
  }

  public record Transition(Path from, Path to, Instant at, String reason) {}

  private final Clock clock;
  private final int failThreshold;
  private final Duration failbackAfter;
  private Path path = Path.DIRECT;
  private int consecutiveBad;
  private Instant healthySince;
  private String reason = "starting";
  private final List<Transition> transitions = new ArrayList<>();

  public PathMonitor(Clock clock, int failThreshold, Duration failbackAfter) {
    this.clock = clock;
    this.failThreshold = Math.max(1, failThreshold);
    this.failbackAfter = failbackAfter;
  }

  /**
   * Feeds one health check; returns the transition it caused, if any.
   *
   * @param directProblem null when the direct path looks healthy, else why not
   * @param relayUsable whether the relay is configured (frpc up or starting)
   */
  public synchronized Transition update(String directProblem, boolean relayUsable) {
    Instant now = clock.instant();
    Path before = path;
    if (directProblem == null) {
      consecutiveBad = 0;
      if (healthySince == null) {
        healthySince = now;
      }
      if (path != Path.DIRECT
          && Duration.between(healthySince, now).compareTo(failbackAfter) >= 0) {
        path = Path.DIRECT;
        reason = "direct path healthy for " + failbackAfter.toSeconds() + " s";
      }
    } else {
      healthySince = null;
      consecutiveBad++;
      if (path == Path.DIRECT && consecutiveBad >= failThreshold) {
        path = relayUsable ? Path.RELAY : Path.NONE;
        reason = directProblem;
      } else if (path == Path.NONE && relayUsable) {
        path = Path.RELAY;
        reason = directProblem;
      } else if (path == Path.RELAY && !relayUsable) {
        path = Path.NONE;
        reason = directProblem + "; relay unavailable";
      }
    }
    if (path != before) {
      Transition t = new Transition(before, path, now, reason);
      transitions.add(t);
      if (transitions.size() > 50) {
        transitions.remove(0);
      }
      return t;
    }
    return null;
  }

  public synchronized Path path() {
    return path;
  }

  public synchronized String reason() {
    return reason;
  }

  public synchronized List<Transition> transitions() {
    return List.copyOf(transitions);
  }
}
