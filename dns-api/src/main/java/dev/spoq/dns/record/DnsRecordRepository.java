package dev.spoq.dns.record;

import dev.spoq.dns.provider.RecordType;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Plain SQL over {@code dns.dns_record} and {@code dns.dns_record_history}. */
@Repository
class DnsRecordRepository {

  private static final String COLUMNS =
      "subdomain, record_type, fqdn, jetson_id, account_id, desired_ip, applied_ip, version, state,"
          + " last_update, last_applied_at, last_verified_at, attempts, next_attempt_at, last_error,"
          + " path, applied_path";

  /**
   * A freshly stored value belongs to the request that stored it, which applies it at once: the
   * reconciler leaves it alone for this long (and takes over if that request never finished).
   */
  static final Duration SYNC_APPLY_LEASE = Duration.ofSeconds(30);

  /** Values kept per name in the history. */
  static final int HISTORY_KEPT = 100;

  private final JdbcClient jdbc;

  DnsRecordRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<DnsRecord> lockForUpdate(String subdomain, RecordType type) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM dns_record WHERE subdomain = :s AND record_type = :t FOR UPDATE")
        .param("s", subdomain)
        .param("t", type.name())
        .query(DnsRecordRepository::map)
        .optional();
  }

  List<DnsRecord> findBySubdomain(String subdomain) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM dns_record WHERE subdomain = :s ORDER BY last_update DESC, record_type")
        .param("s", subdomain)
        .query(DnsRecordRepository::map)
        .list();
  }

  Optional<DnsRecord> find(String subdomain, RecordType type) {
    return jdbc.sql(
            "SELECT " + COLUMNS + " FROM dns_record WHERE subdomain = :s AND record_type = :t")
        .param("s", subdomain)
        .param("t", type.name())
        .query(DnsRecordRepository::map)
        .optional();
  }

  /** Inserts a new pending record unless one appeared concurrently; true when inserted. */
  boolean insertPending(
      String subdomain,
      RecordType type,
      String fqdn,
      UUID jetsonId,
      UUID accountId,
      String ip,
      PublishPath path,
      Instant now) {
    return jdbc.sql(
                "INSERT INTO dns_record (subdomain, record_type, fqdn, jetson_id, account_id,"
                    + " desired_ip, path, state, last_update, next_attempt_at)"
                    + " VALUES (:s, :t, :f, :j, :a, :ip, :p, 'PENDING', :now, :lease)"
                    + " ON CONFLICT (subdomain, record_type) DO NOTHING")
            .param("s", subdomain)
            .param("t", type.name())
            .param("f", fqdn)
            .param("j", jetsonId)
            .param("a", accountId)
            .param("ip", ip)
            .param("p", path.wire())
            .param("now", ts(now))
            .param("lease", ts(now.plus(SYNC_APPLY_LEASE)))
            .update()
        == 1;
  }

  /** A new desired value: pending again, retried at once. Returns the new version. */
  long changeDesired(
      String subdomain,
      RecordType type,
      String fqdn,
      UUID jetsonId,
      UUID accountId,
      String ip,
      PublishPath path,
      Instant now) {
    return jdbc.sql(
            "UPDATE dns_record SET desired_ip = :ip, path = :p, fqdn = :f, jetson_id = :j, account_id = :a,"
                + " version = version + 1, state = 'PENDING', last_update = :now, attempts = 0,"
                + " next_attempt_at = :lease, last_error = NULL"
                + " WHERE subdomain = :s AND record_type = :t RETURNING version")
        .param("s", subdomain)
        .param("t", type.name())
        .param("f", fqdn)
        .param("j", jetsonId)
        .param("a", accountId)
        .param("ip", ip)
        .param("p", path.wire())
        .param("now", ts(now))
        .param("lease", ts(now.plus(SYNC_APPLY_LEASE)))
        .query(Long.class)
        .single();
  }

  /**
   * The same address reached through another path (the relay's address did not change, but the
   * Jetson moved to or from it): no provider write is needed, only the path changes.
   */
  void changePath(String subdomain, RecordType type, PublishPath path, Instant now) {
    jdbc.sql(
            "UPDATE dns_record SET path = :p, last_update = :now,"
                + " applied_path = CASE WHEN applied_ip = desired_ip THEN :p ELSE applied_path END"
                + " WHERE subdomain = :s AND record_type = :t")
        .param("s", subdomain)
        .param("t", type.name())
        .param("p", path.wire())
        .param("now", ts(now))
        .update();
  }

  void addHistory(
      String subdomain, RecordType type, String ip, PublishPath path, Instant at, String sourceIp) {
    jdbc.sql(
            "INSERT INTO dns_record_history (subdomain, record_type, ip, path, changed_at,"
                + " source_ip) VALUES (:s, :t, :ip, :p, :at, :src)")
        .param("s", subdomain)
        .param("t", type.name())
        .param("ip", ip)
        .param("p", path.wire())
        .param("at", ts(at))
        .param("src", sourceIp)
        .update();
    jdbc.sql(
            "DELETE FROM dns_record_history WHERE subdomain = :s AND id <= ("
                + " SELECT id FROM dns_record_history WHERE subdomain = :s"
                + " ORDER BY id DESC OFFSET :keep LIMIT 1)")
        .param("s", subdomain)
        .param("keep", HISTORY_KEPT)
        .update();
  }

  List<HistoryEntry> history(String subdomain, int limit) {
    return jdbc.sql(
            "SELECT record_type, ip, path, changed_at FROM dns_record_history WHERE subdomain = :s"
                + " ORDER BY id DESC LIMIT :n")
        .param("s", subdomain)
        .param("n", limit)
        .query(
            (rs, i) ->
                new HistoryEntry(
                    RecordType.valueOf(rs.getString(1)),
                    rs.getString(2),
                    PublishPath.fromWire(rs.getString(3)),
                    rs.getTimestamp(4).toInstant()))
        .list();
  }

  /** Marks the version applied; false when a newer desired value arrived meanwhile. */
  boolean markApplied(String subdomain, RecordType type, long version, Instant now) {
    return jdbc.sql(
                "UPDATE dns_record SET state = 'APPLIED', applied_ip = desired_ip, applied_path = path,"
                    + " last_applied_at = :now, last_verified_at = :now, attempts = 0,"
                    + " last_error = NULL"
                    + " WHERE subdomain = :s AND record_type = :t AND version = :v")
            .param("s", subdomain)
            .param("t", type.name())
            .param("v", version)
            .param("now", ts(now))
            .update()
        == 1;
  }

  /** Records a failed attempt on that version and when to try again. */
  void markFailed(
      String subdomain, RecordType type, long version, String error, Instant nextAttempt) {
    jdbc.sql(
            "UPDATE dns_record SET attempts = attempts + 1,"
                + " state = CASE WHEN state = 'REMOVING' THEN 'REMOVING' ELSE 'PENDING' END,"
                + " next_attempt_at = :next, last_error = :e"
                + " WHERE subdomain = :s AND record_type = :t AND version = :v")
        .param("s", subdomain)
        .param("t", type.name())
        .param("v", version)
        .param("e", truncate(error))
        .param("next", ts(nextAttempt))
        .update();
  }

  /** Keeps a pending record's place but moves its next attempt (provider paused). */
  void postpone(String subdomain, RecordType type, long version, Instant nextAttempt) {
    jdbc.sql(
            "UPDATE dns_record SET next_attempt_at = :next"
                + " WHERE subdomain = :s AND record_type = :t AND version = :v AND state <> 'APPLIED'")
        .param("s", subdomain)
        .param("t", type.name())
        .param("v", version)
        .param("next", ts(nextAttempt))
        .update();
  }

  /**
   * Claims pending records that are due: moves their next attempt by {@code lease} so that another
   * instance does not take them meanwhile, and returns them.
   */
  List<DnsRecord> claimDue(Instant now, Instant leaseUntil, int limit) {
    return jdbc.sql(
            "UPDATE dns_record SET next_attempt_at = :lease WHERE (subdomain, record_type) IN ("
                + " SELECT subdomain, record_type FROM dns_record"
                + " WHERE state <> 'APPLIED' AND next_attempt_at <= :now"
                + " ORDER BY next_attempt_at LIMIT :n FOR UPDATE SKIP LOCKED)"
                + " RETURNING "
                + COLUMNS)
        .param("now", ts(now))
        .param("lease", ts(leaseUntil))
        .param("n", limit)
        .query(DnsRecordRepository::map)
        .list();
  }

  /**
   * Marks every record of a revoked Jetson for removal, leased to the caller that removes them now
   * (the reconciler takes over after the lease); returns the records this call marked, so that of
   * several replicas hearing the same revocation only one acts.
   */
  List<DnsRecord> markRemoving(UUID jetsonId, Instant now) {
    return jdbc.sql(
            "UPDATE dns_record SET state = 'REMOVING', version = version + 1, attempts = 0,"
                + " last_update = :now, next_attempt_at = :lease, last_error = NULL"
                + " WHERE jetson_id = :j AND state <> 'REMOVING' RETURNING "
                + COLUMNS)
        .param("j", jetsonId)
        .param("now", ts(now))
        .param("lease", ts(now.plus(SYNC_APPLY_LEASE)))
        .query(DnsRecordRepository::map)
        .list();
  }

  /** Deletes a record once removed at the provider; false if it changed meanwhile. */
  boolean deleteRemoved(String subdomain, RecordType type, long version) {
    return jdbc.sql(
                "DELETE FROM dns_record WHERE subdomain = :s AND record_type = :t"
                    + " AND version = :v AND state = 'REMOVING'")
            .param("s", subdomain)
            .param("t", type.name())
            .param("v", version)
            .update()
        == 1;
  }

  /** Applied records least recently compared with the provider. */
  List<DnsRecord> leastRecentlyVerified(int limit) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM dns_record WHERE state = 'APPLIED'"
                + " ORDER BY last_verified_at NULLS FIRST LIMIT :n")
        .param("n", limit)
        .query(DnsRecordRepository::map)
        .list();
  }

  void markVerified(String subdomain, RecordType type, long version, Instant now) {
    jdbc.sql(
            "UPDATE dns_record SET last_verified_at = :now"
                + " WHERE subdomain = :s AND record_type = :t AND version = :v")
        .param("s", subdomain)
        .param("t", type.name())
        .param("v", version)
        .param("now", ts(now))
        .update();
  }

  long countPending() {
    return jdbc.sql("SELECT count(*) FROM dns_record WHERE state = 'PENDING'")
        .query(Long.class)
        .single();
  }

  private static DnsRecord map(ResultSet rs, int row) throws SQLException {
    return new DnsRecord(
        rs.getString("subdomain"),
        RecordType.valueOf(rs.getString("record_type")),
        rs.getString("fqdn"),
        rs.getObject("jetson_id", UUID.class),
        rs.getObject("account_id", UUID.class),
        rs.getString("desired_ip"),
        rs.getString("applied_ip"),
        rs.getLong("version"),
        DnsRecord.State.valueOf(rs.getString("state")),
        instant(rs.getTimestamp("last_update")),
        instant(rs.getTimestamp("last_applied_at")),
        instant(rs.getTimestamp("last_verified_at")),
        rs.getInt("attempts"),
        instant(rs.getTimestamp("next_attempt_at")),
        rs.getString("last_error"),
        PublishPath.fromWire(rs.getString("path")),
        rs.getString("applied_path") == null
            ? null
            : PublishPath.fromWire(rs.getString("applied_path")));
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private static Timestamp ts(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 500 ? s : s.substring(0, 500);
  }
}
