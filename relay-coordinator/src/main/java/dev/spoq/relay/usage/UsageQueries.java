package dev.spoq.relay.usage;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Reads stored usage per Jetson, per relay and per region. */
@Component
class UsageQueries {

  record Bytes(long bytesIn, long bytesOut) {}

  record PerRelay(String relayId, String region, long bytesIn, long bytesOut, Instant updatedAt) {}

  record Total(String key, long bytesIn, long bytesOut, int jetsons) {}

  record PerJetson(UUID jetsonId, long bytesIn, long bytesOut) {}

  private final JdbcClient jdbc;

  UsageQueries(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  List<PerRelay> jetson(UUID jetsonId) {
    return jdbc.sql(
            """
            SELECT u.relay_id, r.region, u.bytes_in, u.bytes_out, u.updated_at
            FROM jetson_usage u JOIN relay r ON r.id = u.relay_id
            WHERE u.jetson_id = ? ORDER BY u.relay_id
            """)
        .param(jetsonId)
        .query(
            (rs, i) ->
                new PerRelay(
                    rs.getString("relay_id"),
                    rs.getString("region"),
                    rs.getLong("bytes_in"),
                    rs.getLong("bytes_out"),
                    instant(rs.getTimestamp("updated_at"))))
        .list();
  }

  List<Total> perRelay() {
    return jdbc.sql(
            """
            SELECT r.id AS k, COALESCE(sum(u.bytes_in), 0) AS bin, COALESCE(sum(u.bytes_out), 0) AS bout,
              count(u.jetson_id) AS n
            FROM relay r LEFT JOIN jetson_usage u ON u.relay_id = r.id GROUP BY r.id ORDER BY r.id
            """)
        .query(UsageQueries::total)
        .list();
  }

  List<Total> perRegion() {
    return jdbc.sql(
            """
            SELECT r.region AS k, COALESCE(sum(u.bytes_in), 0) AS bin,
              COALESCE(sum(u.bytes_out), 0) AS bout, count(DISTINCT u.jetson_id) AS n
            FROM relay r LEFT JOIN jetson_usage u ON u.relay_id = r.id GROUP BY r.region
            ORDER BY r.region
            """)
        .query(UsageQueries::total)
        .list();
  }

  List<PerJetson> perJetson() {
    return jdbc.sql(
            "SELECT jetson_id, sum(bytes_in) AS bin, sum(bytes_out) AS bout FROM jetson_usage GROUP BY jetson_id")
        .query(
            (rs, i) ->
                new PerJetson(
                    rs.getObject("jetson_id", UUID.class), rs.getLong("bin"), rs.getLong("bout")))
        .list();
  }

  private static Total total(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
    return new Total(rs.getString("k"), rs.getLong("bin"), rs.getLong("bout"), rs.getInt("n"));
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
