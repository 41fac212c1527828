package dev.spoq.registry.jetson;

import dev.spoq.registry.push.PgNotifications;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class JetsonRepository {

  private static final String SELECT =
      """
      SELECT j.id, j.account_id, a.username, a.subdomain, j.hostname, j.public_key,
             j.peer_version, j.created_at, j.revoked_at
      FROM jetson j JOIN account a ON a.id = j.account_id
      """;

  private final JdbcClient jdbc;
  private final PgNotifications notifications;

  JetsonRepository(JdbcClient jdbc, PgNotifications notifications) {
    this.jdbc = jdbc;
    this.notifications = notifications;
  }

  public Optional<Jetson> findById(UUID id) {
    return jdbc.sql(SELECT + " WHERE j.id = ?").param(id).query(JetsonRepository::map).optional();
  }

  /** Locks the Jetson row for the rest of the transaction (serialises address allocation). */
  public Optional<Jetson> lock(UUID id) {
    Optional<UUID> locked =
        jdbc.sql("SELECT id FROM jetson WHERE id = ? FOR UPDATE")
            .param(id)
            .query(UUID.class)
            .optional();
    return locked.flatMap(this::findById);
  }

  /** The active Jetson of the account owning the subdomain, else its most recent one. */
  public Optional<Jetson> findBySubdomain(String subdomain) {
    return jdbc.sql(
            SELECT
                + " WHERE a.subdomain = ? ORDER BY (j.revoked_at IS NULL) DESC, j.created_at DESC LIMIT 1")
        .param(subdomain)
        .query(JetsonRepository::map)
        .optional();
  }

  public List<Jetson> findByAccount(UUID accountId) {
    return jdbc.sql(SELECT + " WHERE j.account_id = ? ORDER BY j.created_at")
        .param(accountId)
        .query(JetsonRepository::map)
        .list();
  }

  public boolean hasActive(UUID accountId) {
    return jdbc.sql("SELECT count(*) FROM jetson WHERE account_id = ? AND revoked_at IS NULL")
            .param(accountId)
            .query(Long.class)
            .single()
        > 0;
  }

  public long peerVersion(UUID id) {
    return jdbc.sql("SELECT peer_version FROM jetson WHERE id = ?")
        .param(id)
        .query(Long.class)
        .single();
  }

  /** Marks a change of the Jetson's peer set (devices added, revoked or re-keyed). */
  public void bumpPeerVersion(UUID id) {
    jdbc.sql("UPDATE jetson SET peer_version = peer_version + 1 WHERE id = ?").param(id).update();
    // Wakes the Jetson's peer long-polls on every replica when the transaction commits.
    notifications.announce(jdbc, PgNotifications.PEERS, id.toString());
  }

  public UUID insert(UUID accountId, String hostname, String publicKey) {
    return jdbc.sql(
            "INSERT INTO jetson (account_id, hostname, public_key) VALUES (?, ?, ?) RETURNING id")
        .params(accountId, hostname, publicKey)
        .query(UUID.class)
        .single();
  }

  static Jetson map(ResultSet rs, int n) throws SQLException {
    Timestamp revoked = rs.getTimestamp("revoked_at");
    return new Jetson(
        rs.getObject("id", UUID.class),
        rs.getObject("account_id", UUID.class),
        rs.getString("username"),
        rs.getString("subdomain"),
        rs.getString("hostname"),
        rs.getString("public_key"),
        rs.getLong("peer_version"),
        rs.getTimestamp("created_at").toInstant(),
        revoked == null ? null : revoked.toInstant());
  }
}
