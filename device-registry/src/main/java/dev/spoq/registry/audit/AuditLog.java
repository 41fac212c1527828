package dev.spoq.registry.audit;

import dev.spoq.registry.security.Caller;
import dev.spoq.registry.security.ServiceCaller;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes audit events: a row in {@code audit_event} and a line on the {@code audit} log stream.
 * Successful mutations are recorded inside their own transaction ({@link #record}); denials and
 * failures, whose surrounding transaction rolls back, are recorded in a separate one ({@link
 * #recordAlone}).
 */
@Component
public class AuditLog {

  private static final Logger audit = LoggerFactory.getLogger("audit");

  public enum Outcome {
    SUCCESS,
    FAILURE,
    DENIED
  }

  /** One event. {@code accountId} decides which account's key may read it (null: admins only). */
  public record Event(
      String actor,
      String action,
      String target,
      String sourceIp,
      Outcome outcome,
      UUID accountId,
      String service,
      Map<String, ?> details) {

    public static Event by(
        Caller caller, String action, String target, Outcome outcome, UUID accountId) {
      return by(caller, action, target, outcome, accountId, Map.of());
    }

    public static Event by(
        Caller caller,
        String action,
        String target,
        Outcome outcome,
        UUID accountId,
        Map<String, ?> details) {
      return new Event(
          caller.actor(),
          action,
          target,
          caller.sourceIp(),
          outcome,
          accountId,
          caller instanceof ServiceCaller s ? s.service() : null,
          details);
    }
  }

  private final JdbcClient jdbc;
  private final JsonMapper json;

  AuditLog(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** A successful mutation by {@code caller}, in the caller's transaction. */
  @Transactional
  public long success(Caller caller, String action, String target, UUID accountId) {
    return record(Event.by(caller, action, target, Outcome.SUCCESS, accountId));
  }

  @Transactional
  public long success(
      Caller caller, String action, String target, UUID accountId, Map<String, ?> details) {
    return record(Event.by(caller, action, target, Outcome.SUCCESS, accountId, details));
  }

  /** Records in the current transaction (or its own when there is none). */
  @Transactional
  public long record(Event event) {
    long id =
        jdbc.sql(
                """
                INSERT INTO audit_event
                  (actor, action, target, source_ip, outcome, account_id, service, details)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)
                RETURNING id
                """)
            .params(
                event.actor(),
                event.action(),
                event.target(),
                event.sourceIp(),
                event.outcome().name(),
                event.accountId(),
                event.service(),
                json.writeValueAsString(event.details() == null ? Map.of() : event.details()))
            .query(Long.class)
            .single();
    audit.info(
        "audit id={} actor={} action={} target={} outcome={} source={}",
        id,
        event.actor(),
        event.action(),
        event.target(),
        event.outcome(),
        event.sourceIp());
    return id;
  }

  /**
   * Adds {@code count} refusals to the aggregated row of {@code aggregationKey}'s open window,
   * shared by every replica ({@code refusal_window}): the first addition of a window inserts the
   * audit row with {@code details.count}, later ones (from any replica) raise that count. The row
   * lock on the window serialises replicas, so a window has exactly one row.
   */
  @Transactional(propagation = Propagation.REQUIRES_NEW)
  public void aggregate(Event event, String aggregationKey, long count, Duration window) {
    long eventId =
        jdbc.sql(
                """
                INSERT INTO refusal_window AS r (aggregation_key, window_end)
                VALUES (:key, clock_timestamp() + make_interval(secs => :seconds))
                ON CONFLICT (aggregation_key) DO UPDATE SET
                  window_end = CASE WHEN r.window_end <= clock_timestamp() THEN EXCLUDED.window_end
                                    ELSE r.window_end END,
                  audit_event_id = CASE WHEN r.window_end <= clock_timestamp() THEN NULL
                                        ELSE r.audit_event_id END
                RETURNING coalesce(audit_event_id, 0)
                """)
            .param("key", aggregationKey)
            .param("seconds", window.toMillis() / 1000.0)
            .query(Long.class)
            .single();
    if (eventId != 0) {
      jdbc.sql(
              """
              UPDATE audit_event
              SET details = details || jsonb_build_object(
                'count', coalesce((details->>'count')::bigint, 0) + :count)
              WHERE id = :id
              """)
          .param("count", count)
          .param("id", eventId)
          .update();
      return;
    }
    Map<String, Object> details =
        new HashMap<>(event.details() == null ? Map.of() : event.details());
    details.put("count", count);
    details.put("windowSeconds", window.toSeconds());
    long id =
        record(
            new Event(
                event.actor(),
                event.action(),
                event.target(),
                event.sourceIp(),
                event.outcome(),
                event.accountId(),
                event.service(),
                details));
    jdbc.sql("UPDATE refusal_window SET audit_event_id = ? WHERE aggregation_key = ?")
        .params(id, aggregationKey)
        .update();
  }

  /** Records in a transaction of its own, so it stays even when the caller's rolls back. */
  @Transactional(propagation = Propagation.REQUIRES_NEW)
  public long recordAlone(Event event) {
    return record(event);
  }
}
