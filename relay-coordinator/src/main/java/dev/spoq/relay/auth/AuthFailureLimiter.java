package dev.spoq.relay.auth;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Limits failed authentication per source address: after {@code
 * spoq.relay.auth.max-failures-per-window} (10) failures within {@code
 * spoq.relay.auth.failure-window} (60 s), further requests from that address get 429 with {@code
 * Retry-After} until the window ends, without any registry call. Counted per instance (with N
 * replicas behind a balancer an address gets at most N times the budget).
 */
@Component
public class AuthFailureLimiter {

  private static final int MAX_SOURCES = 100_000;

  private static final class Window {
    Instant start;
    int failures;

    Window(Instant start) {
      this.start = start;
    }
  }

  private final int maxFailures;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Window> bySource = new ConcurrentHashMap<>();

  AuthFailureLimiter(
      @Value("${spoq.relay.auth.max-failures-per-window:10}") int maxFailures,
      @Value("${spoq.relay.auth.failure-window:60s}") Duration window,
      Clock clock) {
    this.maxFailures = Math.max(1, maxFailures);
    this.window = window;
    this.clock = clock;
  }

  /** Whether the source used up its failures in the current window. */
  public boolean blocked(String source) {
    try {
      check(source);
      return false;
    } catch (ApiProblemException e) {
      return true;
    }
  }

  /** Throws 429 when the source used up its failures in the current window. */
  public void check(String source) {
    Window w = bySource.get(key(source));
    if (w == null) {
      return;
    }
    Instant now = clock.instant();
    synchronized (w) {
      Instant end = w.start.plus(window);
      if (w.failures >= maxFailures && now.isBefore(end)) {
        long retry = Math.max(1, Duration.between(now, end).toSeconds() + 1);
        throw new ApiProblemException(
                HttpStatus.TOO_MANY_REQUESTS,
                ProblemTypes.of("too-many-auth-failures"),
                "Too many failed authentications",
                "Too many failed authentications from this address; retry later.")
            .withHeader("Retry-After", Long.toString(retry));
      }
    }
  }

  public void recordFailure(String source) {
    Instant now = clock.instant();
    if (bySource.size() >= MAX_SOURCES) {
      bySource.entrySet().removeIf(e -> !e.getValue().start.plus(window).isAfter(now));
    }
    Window w = bySource.computeIfAbsent(key(source), k -> new Window(now));
    synchronized (w) {
      if (!w.start.plus(window).isAfter(now)) {
        w.start = now;
        w.failures = 0;
      }
      w.failures++;
    }
  }

  /** Forgets every count. */
  public void clear() {
    bySource.clear();
  }

  private static String key(String source) {
    return source == null ? "unknown" : source;
  }
}
