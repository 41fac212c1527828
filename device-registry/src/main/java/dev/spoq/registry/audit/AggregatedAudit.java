package dev.spoq.registry.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Refusals (failed authentication, denied access) as one audit row per source, actor, action,
 * outcome and target per window, with a {@code count} in its details, across all replicas: the
 * window and its row live in PostgreSQL ({@code refusal_window}, see {@link AuditLog#aggregate}).
 * The first refusal of a key that this replica sees in a window is written at once (so an alert
 * sees it immediately); later ones are counted here and added to the shared row every two seconds.
 * A flood of bad tokens therefore costs one row per window, however many replicas it hits.
 */
@Component
public class AggregatedAudit {

  private static final Logger log = LoggerFactory.getLogger(AggregatedAudit.class);
  private static final int MAX_SLOTS = 50_000;

  private record Slot(AuditLog.Event event, long windowEnd, AtomicLong pending) {}

  private final AuditLog auditLog;
  private final JdbcClient jdbc;
  private final Duration window;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final Counter refusals;
  private final Counter writes;

  AggregatedAudit(
      AuditLog auditLog,
      JdbcClient jdbc,
      MeterRegistry meters,
      @Value("${spoq.security.audit-aggregation-window:PT1M}") Duration window) {
    this.auditLog = auditLog;
    this.jdbc = jdbc;
    this.window = window;
    this.refusals = meters.counter("spoq.audit.refusals");
    this.writes = meters.counter("spoq.audit.refusal.rows");
  }

  /** Records a refusal, aggregated with the same source/actor/action/outcome/target in a window. */
  public void record(AuditLog.Event event) {
    refusals.increment();
    String key =
        String.join(
            "|",
            String.valueOf(event.sourceIp()),
            event.actor(),
            event.action(),
            event.outcome().name(),
            String.valueOf(event.target()));
    long now = System.currentTimeMillis();
    if (slots.size() >= MAX_SLOTS) {
      flush();
    }
    boolean[] first = {false};
    Slot slot =
        slots.compute(
            key,
            (k, s) -> {
              if (s != null && s.windowEnd() > now) {
                s.pending().incrementAndGet();
                return s;
              }
              if (s != null) {
                write(k, s);
              }
              first[0] = true;
              return new Slot(event, now + window.toMillis(), new AtomicLong(1));
            });
    if (first[0]) {
      write(key, slot);
    }
  }

  /** Adds the counts gathered here to the shared rows and forgets finished windows. */
  @Scheduled(fixedDelay = 2000)
  public void flush() {
    long now = System.currentTimeMillis();
    slots.forEach(
        (key, slot) -> {
          write(key, slot);
          if (slot.windowEnd() <= now && slots.remove(key, slot)) {
            write(key, slot);
          }
        });
  }

  /** Forgets windows ended long ago (harmless on every replica). */
  @Scheduled(fixedDelay = 600_000, initialDelay = 60_000)
  void prune() {
    try {
      jdbc.sql(
              "DELETE FROM refusal_window WHERE window_end < clock_timestamp() - interval '1 hour'")
          .update();
    } catch (DataAccessException e) {
      log.warn("ended refusal windows not pruned: {}", e.getMessage());
    }
  }

  private void write(String key, Slot slot) {
    long count = slot.pending().getAndSet(0);
    if (count == 0) {
      return;
    }
    try {
      auditLog.aggregate(slot.event(), key, count, window);
      writes.increment();
    } catch (DataAccessException e) {
      slot.pending().addAndGet(count);
      log.warn("refusal count of {} not written yet: {}", slot.event().action(), e.getMessage());
    }
  }
}
