package dev.spoq.relay.fleet;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class RelayRepository {

  private static final String COLUMNS =
      "id, kind, region, public_host, bind_port, port_range_start, port_range_end, capacity,"
          + " admin_url, admin_user, admin_password, status, draining, consecutive_failures,"
          + " last_check_at, last_ok_at, last_error, frps_version, client_count, proxy_count,"
          + " wg_port, agent_port, last_report_at";

  private final JdbcClient jdbc;

  RelayRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public List<Relay> findAll() {
    return jdbc.sql("SELECT " + COLUMNS + " FROM relay ORDER BY region, id")
        .query(this::map)
        .list();
  }

  public Optional<Relay> find(String id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM relay WHERE id = ?")
        .param(id)
        .query(this::map)
        .optional();
  }

  /** Locks the relay's row until the transaction ends: every port hand-out on it goes through. */
  public Optional<Relay> lock(String id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM relay WHERE id = ? FOR UPDATE")
        .param(id)
        .query(this::map)
        .optional();
  }

  /** Jetsons assigned per relay id. */
  public Map<String, Integer> assignedCounts() {
    Map<String, Integer> counts = new HashMap<>();
    jdbc.sql("SELECT relay_id, count(*) AS n FROM assignment GROUP BY relay_id")
        .query(
            rs -> {
              counts.put(rs.getString("relay_id"), rs.getInt("n"));
            });
    return counts;
  }

  public int assignedCount(String relayId) {
    return jdbc.sql("SELECT count(*) FROM assignment WHERE relay_id = ?")
        .param(relayId)
        .query(Integer.class)
        .single();
  }

  /**
   * Inserts a relay; {@code tokenHash} is the SHA-256 of a spoq relay's token (null for frp).
   * Returns false when the id exists.
   */
  public boolean insert(Relay r, String tokenHash) {
    boolean spoq = r.isSpoq();
    return jdbc.sql(
                """
                INSERT INTO relay (id, kind, region, public_host, bind_port, port_range_start,
                  port_range_end, capacity, admin_url, admin_user, admin_password, wg_port,
                  agent_port, token_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                """)
            .params(
                r.id(),
                r.kind(),
                r.region(),
                r.publicHost(),
                spoq ? null : r.bindPort(),
                spoq ? null : r.portRangeStart(),
                spoq ? null : r.portRangeEnd(),
                r.capacity(),
                spoq ? null : r.adminUrl(),
                spoq ? null : r.adminUser(),
                spoq ? null : r.adminPassword(),
                spoq ? r.wgPort() : null,
                spoq ? r.agentPort() : null,
                tokenHash)
            .update()
        == 1;
  }

  /** The spoq relay whose token has this SHA-256, if any. */
  public Optional<Relay> findByTokenHash(String tokenHash) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM relay WHERE token_hash = ? AND kind = 'spoq'")
        .param(tokenHash)
        .query(this::map)
        .optional();
  }

  public void setTokenHash(String id, String tokenHash) {
    jdbc.sql("UPDATE relay SET token_hash = ?, updated_at = now() WHERE id = ?")
        .params(tokenHash, id)
        .update();
  }

  /**
   * A relay-server reported: it is UP from now on. Returns the status before the report (null if
   * the relay is gone).
   */
  public String recordReport(String id, Instant at, Instant startedAt, long sessions) {
    return jdbc.sql(
            """
            UPDATE relay r SET status = 'UP', consecutive_failures = 0, last_report_at = ?,
              last_ok_at = ?, last_check_at = ?, last_error = NULL, relay_started_at = ?,
              client_count = ?
            FROM relay old WHERE r.id = old.id AND r.id = ? RETURNING old.status
            """)
        .params(
            Timestamp.from(at),
            Timestamp.from(at),
            Timestamp.from(at),
            Timestamp.from(startedAt),
            sessions,
            id)
        .query(String.class)
        .optional()
        .orElse(null);
  }

  public void update(Relay r) {
    boolean spoq = r.isSpoq();
    jdbc.sql(
            """
            UPDATE relay SET region = ?, public_host = ?, bind_port = ?, port_range_start = ?,
              port_range_end = ?, capacity = ?, admin_url = ?, admin_user = ?, admin_password = ?,
              wg_port = ?, agent_port = ?, updated_at = now()
            WHERE id = ?
            """)
        .params(
            r.region(),
            r.publicHost(),
            spoq ? null : r.bindPort(),
            spoq ? null : r.portRangeStart(),
            spoq ? null : r.portRangeEnd(),
            r.capacity(),
            spoq ? null : r.adminUrl(),
            spoq ? null : r.adminUser(),
            spoq ? null : r.adminPassword(),
            spoq ? r.wgPort() : null,
            spoq ? r.agentPort() : null,
            r.id())
        .update();
  }

  public void setDraining(String id, boolean draining) {
    jdbc.sql("UPDATE relay SET draining = ?, updated_at = now() WHERE id = ?")
        .params(draining, id)
        .update();
  }

  public int delete(String id) {
    return jdbc.sql("DELETE FROM relay WHERE id = ?").param(id).update();
  }

  /** Ports held on this relay outside the given range. */
  public int assignedOutside(String relayId, int start, int end) {
    return jdbc.sql(
            "SELECT count(*) FROM assignment WHERE relay_id = ? AND (remote_port < ? OR remote_port > ?)")
        .params(relayId, start, end)
        .query(Integer.class)
        .single();
  }

  public void recordHealthy(String id, Instant at, String version, Long clientCount) {
    jdbc.sql(
            """
            UPDATE relay SET status = 'UP', consecutive_failures = 0, last_check_at = ?,
              last_ok_at = ?, last_error = NULL, frps_version = ?, client_count = COALESCE(?, client_count)
            WHERE id = ?
            """)
        .params(Timestamp.from(at), Timestamp.from(at), version, clientCount, id)
        .update();
  }

  /** Counts a failed poll; returns the new consecutive failure count. */
  public int recordFailure(String id, Instant at, String error) {
    return jdbc.sql(
            """
            UPDATE relay SET consecutive_failures = consecutive_failures + 1, last_check_at = ?,
              last_error = ? WHERE id = ? RETURNING consecutive_failures
            """)
        .params(Timestamp.from(at), error, id)
        .query(Integer.class)
        .optional()
        .orElse(0);
  }

  public void markDown(String id) {
    jdbc.sql("UPDATE relay SET status = 'DOWN', updated_at = now() WHERE id = ?")
        .param(id)
        .update();
  }

  public void recordScrape(String id, Long clientCount, Long proxyCount) {
    jdbc.sql(
            "UPDATE relay SET client_count = COALESCE(?, client_count), proxy_count = COALESCE(?, proxy_count) WHERE id = ?")
        .params(clientCount, proxyCount, id)
        .update();
  }

  private Relay map(ResultSet rs, int row) throws SQLException {
    return new Relay(
        rs.getString("id"),
        rs.getString("kind"),
        rs.getString("region"),
        rs.getString("public_host"),
        rs.getInt("bind_port"),
        rs.getInt("port_range_start"),
        rs.getInt("port_range_end"),
        rs.getInt("capacity"),
        nonNull(rs.getString("admin_url")),
        nonNull(rs.getString("admin_user")),
        nonNull(rs.getString("admin_password")),
        rs.getString("status"),
        rs.getBoolean("draining"),
        rs.getInt("consecutive_failures"),
        instant(rs.getTimestamp("last_check_at")),
        instant(rs.getTimestamp("last_ok_at")),
        rs.getString("last_error"),
        rs.getString("frps_version"),
        (Long) rs.getObject("client_count", Long.class),
        (Long) rs.getObject("proxy_count", Long.class),
        rs.getInt("wg_port"),
        rs.getInt("agent_port"),
        instant(rs.getTimestamp("last_report_at")));
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
