package dev.spoq.relay.assignment;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class AssignmentRepository {

  private static final String COLUMNS =
      "jetson_id, relay_id, remote_port, reason, assigned_at, proxy_open, last_login_at,"
          + " last_proxy_at, last_closed_at";

  private final JdbcClient jdbc;

  AssignmentRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<Assignment> find(UUID jetsonId) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM assignment WHERE jetson_id = ?")
        .param(jetsonId)
        .query(AssignmentRepository::map)
        .optional();
  }

  public List<Assignment> onRelay(String relayId) {
    return jdbc.sql(
            "SELECT " + COLUMNS + " FROM assignment WHERE relay_id = ? ORDER BY remote_port")
        .param(relayId)
        .query(AssignmentRepository::map)
        .list();
  }

  public List<Assignment> page(String relayId, int limit, int offset) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + " FROM assignment WHERE (CAST(? AS text) IS NULL OR relay_id = ?)"
                + " ORDER BY relay_id, remote_port LIMIT ? OFFSET ?")
        .params(relayId, relayId, limit, offset)
        .query(AssignmentRepository::map)
        .list();
  }

  /** Serialises every assignment change of one Jetson (transaction-scoped advisory lock). */
  public void lockJetson(UUID jetsonId) {
    jdbc.sql("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))")
        .param(jetsonId.toString())
        .query(rs -> {});
  }

  /**
   * The lowest free port in the range on this relay, or empty when none. Call with the relay row
   * locked. Tries "one past the highest" first (cheap via the unique index), then the first gap.
   */
  public OptionalInt freePort(String relayId, int start, int end) {
    record Stats(Integer min, Integer max, int count) {}
    Stats stats =
        jdbc.sql(
                "SELECT min(remote_port) AS lo, max(remote_port) AS hi, count(*) AS n FROM assignment"
                    + " WHERE relay_id = ? AND remote_port BETWEEN ? AND ?")
            .params(relayId, start, end)
            .query(
                (rs, i) ->
                    new Stats(
                        (Integer) rs.getObject("lo", Integer.class),
                        (Integer) rs.getObject("hi", Integer.class),
                        rs.getInt("n")))
            .single();
    if (stats.count() == 0 || stats.min() > start) {
      return OptionalInt.of(start);
    }
    if (stats.count() == stats.max() - stats.min() + 1) {
      return stats.max() < end ? OptionalInt.of(stats.max() + 1) : OptionalInt.empty();
    }
    return firstGap(relayId, start, end).map(OptionalInt::of).orElse(OptionalInt.empty());
  }

  private Optional<Integer> firstGap(String relayId, int start, int end) {
    return jdbc.sql(
            """
            SELECT a.remote_port + 1 FROM assignment a
            WHERE a.relay_id = ? AND a.remote_port BETWEEN ? AND ?
              AND NOT EXISTS (SELECT 1 FROM assignment b
                              WHERE b.relay_id = a.relay_id AND b.remote_port = a.remote_port + 1)
            ORDER BY a.remote_port LIMIT 1
            """)
        .params(relayId, start, end - 1)
        .query(Integer.class)
        .optional();
  }

  public void upsert(UUID jetsonId, String relayId, Integer port, String reason) {
    jdbc.sql(
            """
            INSERT INTO assignment (jetson_id, relay_id, remote_port, reason, assigned_at)
            VALUES (?, ?, ?, ?, now())
            ON CONFLICT (jetson_id) DO UPDATE SET relay_id = EXCLUDED.relay_id,
              remote_port = EXCLUDED.remote_port, reason = EXCLUDED.reason,
              assigned_at = EXCLUDED.assigned_at, proxy_open = false
            """)
        .params(jetsonId, relayId, port, reason)
        .update();
  }

  /** Stores (or refreshes) the WireGuard public key of a Jetson, as the registry has it. */
  public void saveKey(UUID jetsonId, String publicKey) {
    jdbc.sql(
            """
            INSERT INTO jetson_key (jetson_id, public_key) VALUES (?, ?)
            ON CONFLICT (jetson_id) DO UPDATE SET public_key = EXCLUDED.public_key,
              updated_at = now()
            WHERE jetson_key.public_key <> EXCLUDED.public_key
            """)
        .params(jetsonId, publicKey)
        .update();
  }

  /** Marks a Jetson revoked: it leaves every relay-server's Jetson set. Returns rows changed. */
  public int markRevoked(UUID jetsonId) {
    return jdbc.sql(
            "UPDATE jetson_key SET revoked = true, updated_at = now() WHERE jetson_id = ? AND NOT revoked")
        .param(jetsonId)
        .update();
  }

  public void delete(UUID jetsonId) {
    jdbc.sql("DELETE FROM assignment WHERE jetson_id = ?").param(jetsonId).update();
  }

  public void markLogin(UUID jetsonId, Instant at) {
    jdbc.sql("UPDATE assignment SET last_login_at = ? WHERE jetson_id = ?")
        .params(Timestamp.from(at), jetsonId)
        .update();
  }

  public void markProxy(UUID jetsonId, boolean open, Instant at) {
    String column = open ? "last_proxy_at" : "last_closed_at";
    jdbc.sql("UPDATE assignment SET proxy_open = ?, " + column + " = ? WHERE jetson_id = ?")
        .params(open, Timestamp.from(at), jetsonId)
        .update();
  }

  static Assignment map(ResultSet rs, int row) throws SQLException {
    return new Assignment(
        rs.getObject("jetson_id", UUID.class),
        rs.getString("relay_id"),
        (Integer) rs.getObject("remote_port", Integer.class),
        rs.getString("reason"),
        instant(rs.getTimestamp("assigned_at")),
        rs.getBoolean("proxy_open"),
        instant(rs.getTimestamp("last_login_at")),
        instant(rs.getTimestamp("last_proxy_at")),
        instant(rs.getTimestamp("last_closed_at")));
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
