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
 *
 * <p>A failback that fails again before the direct path held for {@code failbackMax} (an upstream
 * that drops UDP while the mapping and DNS look fine) doubles the healthy time the next failback
 * needs, up to {@code failbackMax}; once the direct path holds that long it starts over at {@code
 * failbackAfter}. Without it such a home flaps between direct and relay every two to three minutes.
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
  private final Duration failbackMax;
  private Duration requiredHealthy;
  private Instant lastFailback;
  private int failedFailbacks;
  private Path path = Path.DIRECT;
  private int consecutiveBad;
  private Instant healthySince;
  private String reason = "starting";
  private final List<Transition> transitions = new ArrayList<>();

  public PathMonitor(Clock clock, int failThreshold, Duration failbackAfter) {
    this(clock, failThreshold, failbackAfter, failbackAfter);
  }

  public PathMonitor(Clock clock, int failThreshold, Duration failbackAfter, Duration failbackMax) {
    this.clock = clock;
    this.failThreshold = Math.max(1, failThreshold);
    this.failbackAfter = failbackAfter;
    this.failbackMax = failbackMax.compareTo(failbackAfter) < 0 ? failbackAfter : failbackMax;
    this.requiredHealthy = failbackAfter;
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
          && Duration.between(healthySince, now).compareTo(requiredHealthy) >= 0) {
        path = Path.DIRECT;
        reason = "direct path healthy for " + requiredHealthy.toSeconds() + " s";
        lastFailback = now;
      }
    } else {
      healthySince = null;
      consecutiveBad++;
      if (path == Path.DIRECT && consecutiveBad >= failThreshold) {
        path = relayUsable ? Path.RELAY : Path.NONE;
        reason = directProblem + backOffFailback(now);
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

  /** Called when the direct path fails: a failback that did not hold doubles the next wait. */
  private String backOffFailback(Instant now) {
    if (lastFailback != null && Duration.between(lastFailback, now).compareTo(failbackMax) < 0) {
      failedFailbacks++;
      Duration doubled = requiredHealthy.multipliedBy(2);
      requiredHealthy = doubled.compareTo(failbackMax) > 0 ? failbackMax : doubled;
      return "; the failback "
          + Duration.between(lastFailback, now).toSeconds()
          + " s ago did not hold: next failback after "
          + requiredHealthy.toSeconds()
          + " s of health";
    }
    failedFailbacks = 0;
    requiredHealthy = failbackAfter;
    return "";
  }

  /** How long the direct path must be healthy before the next failback. */
  public synchronized Duration requiredHealthy() {
    return requiredHealthy;
  }

  /** Failbacks in a row that failed again within {@code failbackMax}. */
  public synchronized int failedFailbacks() {
    return failedFailbacks;
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
