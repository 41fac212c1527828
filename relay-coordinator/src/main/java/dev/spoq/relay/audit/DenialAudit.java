package dev.spoq.relay.audit;

import jakarta.annotation.PreDestroy;
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
 * Audits every refusal (failed authentication, access to another tenant's resource, frps plugin
 * refusals) without letting an attacker amplify it into one row per request, across every replica:
 * refusals are counted here per (action, actor, source, target, reason), added every few seconds
 * ({@code spoq.relay.audit.flush-interval}, 5 s) to a shared row per key and fixed window ({@code
 * spoq.relay.audit.denial-window}, 60 s, aligned to the epoch) in {@code denial_window}, and each
 * ended window is reported ONCE, by whichever replica claims it first, as one audit event with the
 * summed {@code count}. So 1,000 random tokens from one address in a minute make one {@code
 * auth.failed} row with {@code count: 1000}, however many replicas they hit. The per-request detail
 * stays in the DEBUG log only.
 */
@Component
public class DenialAudit {

  private static final Logger log = LoggerFactory.getLogger(DenialAudit.class);
  private static final int MAX_KEYS = 10_000;

  private record Key(String action, String actor, String source, String target, String reason) {}

  private record Due(Key key, long count) {}

  private final Audit audit;
  private final JdbcClient jdbc;
  private final Duration window;
  private final Map<Key, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong overflow = new AtomicLong();

  DenialAudit(
      Audit audit,
      JdbcClient jdbc,
      @Value("${spoq.relay.audit.denial-window:60s}") Duration window) {
    this.audit = audit;
    this.jdbc = jdbc;
    this.window = window;
  }

  /** Counts one refusal; it reaches the audit log once its window has ended. */
  public void deny(String action, String actor, String source, String target, String reason) {
    Key key =
        new Key(
            action,
            actor,
            nullToEmpty(Audit.ipOnly(source)),
            nullToEmpty(target),
            nullToEmpty(reason));
    AtomicLong n = counts.get(key);
    if (n == null) {
      if (counts.size() >= MAX_KEYS) {
        overflow.incrementAndGet();
        return;
      }
      n = counts.computeIfAbsent(key, k -> new AtomicLong());
    }
    n.incrementAndGet();
  }

  /** Adds this replica's counts to the shared windows and reports the windows that ended. */
  @Scheduled(
      initialDelayString = "${spoq.relay.audit.flush-interval:5s}",
      fixedDelayString = "${spoq.relay.audit.flush-interval:5s}")
  void tick() {
    push();
    report(false);
  }

  /**
   * Writes everything now, the current windows included (tests and operators that cannot wait for
   * the window's end); refusals later in the same window then make a second row.
   */
  public void flush() {
    push();
    report(true);
  }

  /** Adds this replica's counts to the shared windows (the other replicas report them). */
  @PreDestroy
  public void push() {
    for (Key key : counts.keySet()) {
      AtomicLong n = counts.remove(key);
      long count = n == null ? 0 : n.get();
      if (count == 0) {
        continue;
      }
      try {
        jdbc.sql(
                """
                INSERT INTO denial_window AS d
                  (window_start, action, actor, source, target, reason, denials)
                VALUES (to_timestamp(floor(extract(epoch FROM clock_timestamp()) / :seconds)
                                     * :seconds),
                        :action, :actor, :source, :target, :reason, :count)
                ON CONFLICT (window_start, action, actor, source, target, reason)
                DO UPDATE SET denials = d.denials + EXCLUDED.denials
                """)
            .param("seconds", Math.max(1, window.toSeconds()))
            .param("action", key.action())
            .param("actor", key.actor())
            .param("source", key.source())
            .param("target", key.target())
            .param("reason", key.reason())
            .param("count", count)
            .update();
      } catch (DataAccessException e) {
        counts.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(count);
        log.warn("refusal count of {} not stored yet: {}", key.action(), e.getMessage());
        return;
      }
    }
  }

  /**
   * Claims unreported counts (of ended windows, or of all with {@code all}) in one statement, so
   * two replicas never report the same count, and writes one audit event per window and key.
   */
  private void report(boolean all) {
    java.util.List<Due> due;
    try {
      due =
          jdbc.sql(
                  """
                  UPDATE denial_window d SET reported = d.denials
                  FROM (SELECT id, denials - reported AS delta FROM denial_window
                        WHERE denials > reported
                          AND (:all OR window_start + make_interval(secs => :seconds)
                                       <= clock_timestamp())
                        FOR UPDATE SKIP LOCKED) claimed
                  WHERE d.id = claimed.id
                  RETURNING d.action, d.actor, d.source, d.target, d.reason, claimed.delta
                  """)
              .param("all", all)
              .param("seconds", Math.max(1, window.toSeconds()))
              .query(
                  (rs, n) ->
                      new Due(
                          new Key(
                              rs.getString(1),
                              rs.getString(2),
                              rs.getString(3),
                              rs.getString(4),
                              rs.getString(5)),
                          rs.getLong(6)))
              .list();
      jdbc.sql(
              "DELETE FROM denial_window WHERE denials = reported"
                  + " AND window_start < clock_timestamp() - interval '1 day'")
          .update();
    } catch (DataAccessException e) {
      log.warn("refusal windows not reported yet: {}", e.getMessage());
      return;
    }
    for (Due d : due) {
      audit.record(
          d.key().actor(),
          d.key().action(),
          emptyToNull(d.key().target()),
          emptyToNull(d.key().source()),
          "DENIED",
          Map.of("count", d.count(), "reason", d.key().reason()));
    }
    long dropped = overflow.getAndSet(0);
    if (dropped > 0) {
      audit.record(
          "unknown",
          "relay.audit.overflow",
          "relay-coordinator",
          null,
          "DENIED",
          Map.of("count", dropped, "reason", "more distinct refusals than one window holds"));
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
