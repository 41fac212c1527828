package dev.spoq.dns.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.DisposableBean;

/**
 * Failed authentications and denials, audited without amplification: one event per action and
 * source address per window, carrying how many times it happened ({@code details.count}). A flood
 * of random tokens from one address costs one audit row per window, not one per request.
 */
public class DenialAudit implements DisposableBean {

  /** Distinct (action, source) pairs held per window; beyond it, pairs fold into one "other". */
  private static final int MAX_KEYS = 10_000;

  private final DnsAudit audit;
  private final Duration window;
  private final Clock clock;
  private final ScheduledExecutorService flusher;
  private final Map<Key, Tally> tallies = new ConcurrentHashMap<>();

  private record Key(String action, String sourceIp) {}

  private static final class Tally {
    final String actor;
    final String target;
    final String reason;
    final Instant first;
    long count;

    Tally(String actor, String target, String reason, Instant first) {
      this.actor = actor;
      this.target = target;
      this.reason = reason;
      this.first = first;
    }
  }

  public DenialAudit(DnsAudit audit, Duration window, Clock clock) {
    this.audit = audit;
    this.window = window;
    this.clock = clock;
    this.flusher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dns-denial-audit");
              t.setDaemon(true);
              return t;
            });
    long millis = window.toMillis();
    flusher.scheduleAtFixedRate(this::flush, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Counts one refusal; the first actor, target and reason of the window are kept. */
  public void deny(String action, String actor, String target, String sourceIp, String reason) {
    String source = sourceIp == null ? "unknown" : sourceIp;
    Key key =
        tallies.size() >= MAX_KEYS && !tallies.containsKey(new Key(action, source))
            ? new Key(action, "other")
            : new Key(action, source);
    Tally tally =
        tallies.computeIfAbsent(key, k -> new Tally(actor, target, reason, clock.instant()));
    synchronized (tally) {
      tally.count++;
    }
  }

  /** Writes one event per (action, source) seen since the last flush. */
  public synchronized void flush() {
    for (Key key : tallies.keySet()) {
      Tally tally = tallies.remove(key);
      if (tally == null) {
        continue;
      }
      long count;
      synchronized (tally) {
        count = tally.count;
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("count", count);
      details.put("firstAt", tally.first.toString());
      details.put("windowSeconds", window.toSeconds());
      details.put("reason", tally.reason);
      audit.record(
          tally.actor,
          key.action(),
          tally.target,
          "other".equals(key.sourceIp()) ? null : key.sourceIp(),
          key.action().startsWith("auth.") ? DnsAudit.FAILURE : DnsAudit.DENIED,
          details);
    }
  }

  @Override
  public void destroy() {
    flusher.shutdown();
    flush();
  }
}
