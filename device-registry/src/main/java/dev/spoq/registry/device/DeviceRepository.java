package dev.spoq.registry.device;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class DeviceRepository {

  record Profile(int number, String name, Instant createdAt) {}

  record KeyHistoryEntry(String publicKey, Instant validFrom, Instant replacedAt) {}

  private final JdbcClient jdbc;

  DeviceRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public List<Device> activeOf(UUID jetsonId) {
    return jdbc.sql(
            "SELECT * FROM device WHERE jetson_id = ? AND revoked_at IS NULL ORDER BY host_octet")
        .param(jetsonId)
        .query(DeviceRepository::map)
        .list();
  }

  List<Device> allOf(UUID jetsonId) {
    return jdbc.sql(
            "SELECT * FROM device WHERE jetson_id = ? ORDER BY revoked_at NULLS FIRST, last_host_octet, created_at")
        .param(jetsonId)
        .query(DeviceRepository::map)
        .list();
  }

  Optional<Device> find(UUID jetsonId, UUID deviceId) {
    return jdbc.sql("SELECT * FROM device WHERE jetson_id = ? AND id = ?")
        .params(jetsonId, deviceId)
        .query(DeviceRepository::map)
        .optional();
  }

  List<Integer> usedOctets(UUID jetsonId, int profile) {
    return jdbc.sql(
            "SELECT host_octet FROM device WHERE jetson_id = ? AND profile = ? AND host_octet IS NOT NULL")
        .params(jetsonId, profile)
        .query(Integer.class)
        .list();
  }

  boolean activeKeyExists(UUID jetsonId, String publicKey) {
    return jdbc.sql(
                "SELECT count(*) FROM device WHERE jetson_id = ? AND public_key = ? AND revoked_at IS NULL")
            .params(jetsonId, publicKey)
            .query(Long.class)
            .single()
        > 0;
  }

  boolean activeNameExists(UUID jetsonId, String name) {
    return jdbc.sql(
                "SELECT count(*) FROM device WHERE jetson_id = ? AND name = ? AND revoked_at IS NULL")
            .params(jetsonId, name)
            .query(Long.class)
            .single()
        > 0;
  }

  UUID insert(UUID jetsonId, int profile, String name, String publicKey, int octet) {
    return jdbc.sql(
            """
            INSERT INTO device (jetson_id, profile, name, public_key, host_octet, last_host_octet)
            VALUES (?, ?, ?, ?, ?, ?) RETURNING id
            """)
        .params(jetsonId, profile, name, publicKey, octet, octet)
        .query(UUID.class)
        .single();
  }

  void revoke(UUID deviceId) {
    jdbc.sql(
            "UPDATE device SET revoked_at = now(), host_octet = NULL WHERE id = ? AND revoked_at IS NULL")
        .param(deviceId)
        .update();
  }

  void replaceKey(Device device, String newKey) {
    jdbc.sql(
            "INSERT INTO key_history (jetson_id, device_id, public_key, valid_from) VALUES (?, ?, ?, ?)")
        .params(
            device.jetsonId(),
            device.id(),
            device.publicKey(),
            Timestamp.from(device.keyUpdatedAt()))
        .update();
    jdbc.sql("UPDATE device SET public_key = ?, key_updated_at = now() WHERE id = ?")
        .params(newKey, device.id())
        .update();
  }

  List<KeyHistoryEntry> keyHistory(UUID deviceId) {
    return jdbc.sql(
            "SELECT public_key, valid_from, replaced_at FROM key_history WHERE device_id = ? ORDER BY id")
        .param(deviceId)
        .query(
            (rs, n) ->
                new KeyHistoryEntry(
                    rs.getString("public_key"),
                    rs.getTimestamp("valid_from").toInstant(),
                    rs.getTimestamp("replaced_at").toInstant()))
        .list();
  }

  List<Profile> profiles(UUID jetsonId) {
    return jdbc.sql(
            "SELECT number, name, created_at FROM profile WHERE jetson_id = ? ORDER BY number")
        .param(jetsonId)
        .query(
            (rs, n) ->
                new Profile(
                    rs.getInt("number"),
                    rs.getString("name"),
                    rs.getTimestamp("created_at").toInstant()))
        .list();
  }

  void insertProfile(UUID jetsonId, int number, String name) {
    jdbc.sql("INSERT INTO profile (jetson_id, number, name) VALUES (?, ?, ?)")
        .params(jetsonId, number, name)
        .update();
  }

  /** Whether a device with this id exists on any Jetson. */
  boolean existsAnywhere(UUID deviceId) {
    return jdbc.sql("SELECT count(*) FROM device WHERE id = ?")
            .param(deviceId)
            .query(Long.class)
            .single()
        > 0;
  }

  static Device map(ResultSet rs, int n) throws SQLException {
    Timestamp revoked = rs.getTimestamp("revoked_at");
    Integer octet = rs.getObject("host_octet", Integer.class);
    return new Device(
        rs.getObject("id", UUID.class),
        rs.getObject("jetson_id", UUID.class),
        rs.getInt("profile"),
        rs.getString("name"),
        rs.getString("public_key"),
        octet,
        rs.getInt("last_host_octet"),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("key_updated_at").toInstant(),
        revoked == null ? null : revoked.toInstant());
  }
}
