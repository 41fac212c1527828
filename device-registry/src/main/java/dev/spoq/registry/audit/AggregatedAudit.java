package dev.spoq.registry.audit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Refusals (failed authentication, denied access) as one audit row per source, actor, action,
 * outcome and target per window, with a {@code count} in its details: the first refusal of a window
 * writes the row at once (so an alert sees it immediately), later ones only raise the count, which
 * is written to the row every two seconds. A flood of bad tokens therefore costs one row per
 * window, not one per request. Each replica aggregates its own refusals.
 */
@Component
public class AggregatedAudit {

  private static final int MAX_SLOTS = 50_000;

  private record Slot(long id, long windowEnd, AtomicLong count, AtomicLong written) {}

  private final AuditLog auditLog;
  private final JdbcClient jdbc;
  private final long windowMillis;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final Counter refusals;
  private final Counter rows;

  AggregatedAudit(
      AuditLog auditLog,
      JdbcClient jdbc,
      MeterRegistry meters,
      @Value("${spoq.security.audit-aggregation-window:PT1M}") Duration window) {
    this.auditLog = auditLog;
    this.jdbc = jdbc;
    this.windowMillis = window.toMillis();
    this.refusals = meters.counter("spoq.audit.refusals");
    this.rows = meters.counter("spoq.audit.refusal.rows");
  }

  /** Records a refusal, aggregated with the same source/actor/action/outcome in this window. */
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
    slots.compute(
        key,
        (k, slot) -> {
          if (slot != null && slot.windowEnd() > now) {
            slot.count().incrementAndGet();
            return slot;
          }
          if (slot != null) {
            write(slot);
          }
          Map<String, Object> details =
              new HashMap<>(event.details() == null ? Map.of() : event.details());
          details.put("count", 1);
          details.put("windowSeconds", windowMillis / 1000);
          long id =
              auditLog.recordAlone(
                  new AuditLog.Event(
                      event.actor(),
                      event.action(),
                      event.target(),
                      event.sourceIp(),
                      event.outcome(),
                      event.accountId(),
                      event.service(),
                      details));
          rows.increment();
          return new Slot(id, now + windowMillis, new AtomicLong(1), new AtomicLong(1));
        });
  }

  /** Writes raised counts to their rows and forgets finished windows. */
  @Scheduled(fixedDelay = 2000)
  public void flush() {
    long now = System.currentTimeMillis();
    slots.forEach(
        (key, slot) -> {
          write(slot);
          if (slot.windowEnd() <= now) {
            slots.remove(key, slot);
            write(slot);
          }
        });
  }

  private void write(Slot slot) {
    long count = slot.count().get();
    if (count > slot.written().get()) {
      jdbc.sql(
              "UPDATE audit_event SET details = details || jsonb_build_object('count', ?) WHERE id = ?")
          .params(count, slot.id())
          .update();
      slot.written().set(count);
    }
  }
}
