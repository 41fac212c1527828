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
      "id, region, public_host, bind_port, port_range_start, port_range_end, capacity, admin_url,"
          + " admin_user, admin_password, status, draining, consecutive_failures, last_check_at,"
          + " last_ok_at, last_error, frps_version, client_count, proxy_count";

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

  public boolean insert(Relay r) {
    return jdbc.sql(
                """
                INSERT INTO relay (id, region, public_host, bind_port, port_range_start,
                  port_range_end, capacity, admin_url, admin_user, admin_password)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                """)
            .params(
                r.id(),
                r.region(),
                r.publicHost(),
                r.bindPort(),
                r.portRangeStart(),
                r.portRangeEnd(),
                r.capacity(),
                r.adminUrl(),
                r.adminUser(),
                r.adminPassword())
            .update()
        == 1;
  }

  public void update(Relay r) {
    jdbc.sql(
            """
            UPDATE relay SET region = ?, public_host = ?, bind_port = ?, port_range_start = ?,
              port_range_end = ?, capacity = ?, admin_url = ?, admin_user = ?, admin_password = ?,
              updated_at = now()
            WHERE id = ?
            """)
        .params(
            r.region(),
            r.publicHost(),
            r.bindPort(),
            r.portRangeStart(),
            r.portRangeEnd(),
            r.capacity(),
            r.adminUrl(),
            r.adminUser(),
            r.adminPassword(),
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
        rs.getString("region"),
        rs.getString("public_host"),
        rs.getInt("bind_port"),
        rs.getInt("port_range_start"),
        rs.getInt("port_range_end"),
        rs.getInt("capacity"),
        rs.getString("admin_url"),
        rs.getString("admin_user"),
        rs.getString("admin_password"),
        rs.getString("status"),
        rs.getBoolean("draining"),
        rs.getInt("consecutive_failures"),
        instant(rs.getTimestamp("last_check_at")),
        instant(rs.getTimestamp("last_ok_at")),
        rs.getString("last_error"),
        rs.getString("frps_version"),
        (Long) rs.getObject("client_count", Long.class),
        (Long) rs.getObject("proxy_count", Long.class));
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
