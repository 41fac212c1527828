package dev.spoq.jump.limits;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per kind and period, carrying how many were left out in between: a flood of refusals
 * is visible in the log without one line per connection (the metrics count them all). Only values
 * the router chose or parsed go into the line, never bytes a client sent.
 */
public final class SampledLog {

  private static final Logger log = LoggerFactory.getLogger("spoq.jump.refusals");

  private final long periodNanos;
  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public SampledLog(Duration period) {
    this.periodNanos = period.toNanos();
  }

  public void refused(String reason, String sourceIp) {
    Window w = windows.computeIfAbsent(reason, r -> new Window());
    long now = System.nanoTime();
    long last = w.lastLogged.get();
    if (last != 0 && now - last < periodNanos) {
      w.suppressed.incrementAndGet();
      return;
    }
    if (w.lastLogged.compareAndSet(last, now)) {
      long suppressed = w.suppressed.getAndSet(0);
      log.atInfo()
          .addKeyValue("refusal.reason", reason)
          .addKeyValue("refusal.sourceIp", sourceIp)
          .addKeyValue("refusal.suppressed", suppressed)
          .log(
              "refused a connection from {}: {} ({} more refusals of this kind not logged)",
              sourceIp,
              reason,
              suppressed);
    } else {
      w.suppressed.incrementAndGet();
    }
  }

  private static final class Window {
    final AtomicLong lastLogged = new AtomicLong();
    final AtomicLong suppressed = new AtomicLong();
  }
}
