package dev.spoq.registry.push;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The revocation feed's table. Each revocation writes its event in the revoking transaction and
 * announces it with NOTIFY, so the event and the revocation commit together and every replica's
 * waiting long-polls wake on commit.
 */
@Component
public class RevocationLog {

  public enum Kind {
    DEVICE_TOKEN,
    API_KEY,
    JETSON,
    DEVICE,
    SSH_KEY
  }

  /** One event of {@code GET /internal/v1/revocations}. */
  public record Event(
      long id,
      Kind kind,
      String tokenHash,
      UUID jetsonId,
      UUID accountId,
      String username,
      Instant at) {}

  private final JdbcClient jdbc;
  private final PushProperties properties;
  private final PgNotifications notifications;

  RevocationLog(JdbcClient jdbc, PushProperties properties, PgNotifications notifications) {
    this.jdbc = jdbc;
    this.properties = properties;
    this.notifications = notifications;
  }

  /** Records a revocation in the caller's transaction (required) and announces it on commit. */
  @Transactional(propagation = Propagation.MANDATORY)
  public void record(Kind kind, String tokenHash, UUID jetsonId, UUID accountId, String username) {
    jdbc.sql(
            """
            INSERT INTO revocation_event (kind, token_hash, jetson_id, account_id, username)
            VALUES (?, ?, ?, ?, ?)
            """)
        .params(kind.name(), tokenHash, jetsonId, accountId, username)
        .update();
    // The kind travels as the payload, so caches can skip revocations that do not concern them.
    notifications.announce(jdbc, PgNotifications.REVOCATIONS, kind.name());
  }

  /**
   * Announces events inserted by the caller's own SQL (in its transaction), of any kind (empty
   * payload). Several announcements in one transaction are delivered once.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  public void announce() {
    notifications.announce(jdbc, PgNotifications.REVOCATIONS, "");
  }

  /** The newest event id, 0 when there is none. */
  public long cursor() {
    return jdbc.sql("SELECT coalesce(max(id), 0) FROM revocation_event").query(Long.class).single();
  }

  /** Events after {@code cursor}, oldest first, at most {@code limit}. */
  public List<Event> after(long cursor, int limit) {
    return jdbc.sql("SELECT * FROM revocation_event WHERE id > ? ORDER BY id LIMIT ?")
        .params(cursor, limit)
        .query(RevocationLog::map)
        .list();
  }

  /**
   * Drops events past the retention; once per period across all replicas (ShedLock: the lock is
   * held at least 5 minutes, so the other replicas' runs in the same period are skipped).
   */
  @Scheduled(fixedDelayString = "${spoq.push.prune-interval:PT1H}", initialDelay = 60_000)
  @SchedulerLock(name = "revocation-feed-prune", lockAtMostFor = "PT10M", lockAtLeastFor = "PT5M")
  public void prune() {
    jdbc.sql("DELETE FROM revocation_event WHERE at < now() - make_interval(secs => ?)")
        .param((double) properties.revocationRetention().toSeconds())
        .update();
  }

  private static Event map(ResultSet rs, int n) throws SQLException {
    return new Event(
        rs.getLong("id"),
        Kind.valueOf(rs.getString("kind")),
        rs.getString("token_hash"),
        rs.getObject("jetson_id", UUID.class),
        rs.getObject("account_id", UUID.class),
        rs.getString("username"),
        rs.getTimestamp("at").toInstant());
  }
}
