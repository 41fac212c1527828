package dev.spoq.relay.relayserver;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The tables behind relay-server's Jetson set, its reports, sessions and usage. */
@Repository
class RelayServerRepository {

  /** A member of a relay's Jetson set before its session key is derived. */
  record Member(UUID jetsonId, String publicKey, int generation) {}

  /** A live session as last reported. */
  record Session(
      String relayId,
      UUID jetsonId,
      String agentAddress,
      Instant upSince,
      int clients,
      Instant reportedAt) {}

  private static final String MEMBERS =
      """
      FROM assignment a
      JOIN jetson_key k ON k.jetson_id = a.jetson_id AND NOT k.revoked
      JOIN relay_credential c ON c.jetson_id = a.jetson_id
      WHERE a.relay_id = ?
      """;

  private final JdbcClient jdbc;
  private final JdbcTemplate template;

  RelayServerRepository(JdbcClient jdbc, JdbcTemplate template) {
    this.jdbc = jdbc;
    this.template = template;
  }

  /** A digest of the relay's Jetson set as stored: equal digests mean equal sets. */
  String fingerprint(String relayId) {
    return jdbc.sql(
            "SELECT md5(coalesce(string_agg(a.jetson_id::text || ':' || k.public_key || ':'"
                + " || c.generation, ',' ORDER BY a.jetson_id), '')) "
                + MEMBERS)
        .param(relayId)
        .query(String.class)
        .single();
  }

  List<Member> members(String relayId) {
    return jdbc.sql(
            "SELECT a.jetson_id, k.public_key, c.generation " + MEMBERS + " ORDER BY a.jetson_id")
        .param(relayId)
        .query(
            (rs, i) ->
                new Member(
                    rs.getObject("jetson_id", UUID.class),
                    rs.getString("public_key"),
                    rs.getInt("generation")))
        .list();
  }

  Set<UUID> assignedTo(String relayId) {
    return new HashSet<>(
        jdbc.sql("SELECT jetson_id FROM assignment WHERE relay_id = ?")
            .param(relayId)
            .query(UUID.class)
            .list());
  }

  /** Serialises reports of one relay across replicas (its row stays locked until commit). */
  void lockRelay(String relayId) {
    jdbc.sql("SELECT id FROM relay WHERE id = ? FOR UPDATE").param(relayId).query(rs -> {});
  }

  void replaceSessions(String relayId, List<Object[]> rows) {
    jdbc.sql("DELETE FROM relay_session WHERE relay_id = ?").param(relayId).update();
    template.batchUpdate(
        """
        INSERT INTO relay_session (relay_id, jetson_id, agent_address, up_since, clients,
          bytes_to_jetson, bytes_from_jetson, reported_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        rows);
  }

  /**
   * Adds each Jetson's counter increase to its usage. The counters are cumulative since the
   * relay-server started ({@code epoch}); a new epoch, or a counter lower than last time, means a
   * restart, and the whole value is added.
   */
  void addUsage(List<Object[]> rows) {
    template.batchUpdate(
        """
        INSERT INTO jetson_usage (relay_id, jetson_id, last_raw_in, last_raw_out, bytes_in,
          bytes_out, counter_epoch, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, now())
        ON CONFLICT (relay_id, jetson_id) DO UPDATE SET
          bytes_in = jetson_usage.bytes_in + CASE
            WHEN jetson_usage.counter_epoch IS NOT DISTINCT FROM EXCLUDED.counter_epoch
              AND EXCLUDED.last_raw_in >= jetson_usage.last_raw_in
            THEN (EXCLUDED.last_raw_in - jetson_usage.last_raw_in)::bigint
            ELSE EXCLUDED.last_raw_in::bigint END,
          bytes_out = jetson_usage.bytes_out + CASE
            WHEN jetson_usage.counter_epoch IS NOT DISTINCT FROM EXCLUDED.counter_epoch
              AND EXCLUDED.last_raw_out >= jetson_usage.last_raw_out
            THEN (EXCLUDED.last_raw_out - jetson_usage.last_raw_out)::bigint
            ELSE EXCLUDED.last_raw_out::bigint END,
          last_raw_in = EXCLUDED.last_raw_in,
          last_raw_out = EXCLUDED.last_raw_out,
          counter_epoch = EXCLUDED.counter_epoch,
          updated_at = now()
        """,
        rows);
  }

  /** The Jetson's session on the given relay if one was reported since {@code notBefore}. */
  Optional<Session> liveSession(String relayId, UUID jetsonId, Instant notBefore) {
    return jdbc.sql(
            """
            SELECT relay_id, jetson_id, agent_address, up_since, clients, reported_at
            FROM relay_session WHERE relay_id = ? AND jetson_id = ? AND reported_at >= ?
            """)
        .params(relayId, jetsonId, Timestamp.from(notBefore))
        .query(
            (rs, i) ->
                new Session(
                    rs.getString("relay_id"),
                    rs.getObject("jetson_id", UUID.class),
                    rs.getString("agent_address"),
                    rs.getTimestamp("up_since").toInstant(),
                    rs.getInt("clients"),
                    rs.getTimestamp("reported_at").toInstant()))
        .optional();
  }
}
