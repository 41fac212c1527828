package dev.spoq.relay.assignment;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class LatencyRepository {

  private final JdbcClient jdbc;

  LatencyRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public void save(UUID jetsonId, String region, double rttMs, Instant at) {
    jdbc.sql(
            """
            INSERT INTO latency_report (jetson_id, region, rtt_ms, measured_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (jetson_id, region) DO UPDATE SET rtt_ms = EXCLUDED.rtt_ms,
              measured_at = EXCLUDED.measured_at
            """)
        .params(jetsonId, region, rttMs, Timestamp.from(at))
        .update();
  }

  /** Region -> RTT in ms, reports newer than {@code since} only. */
  public Map<String, Double> fresh(UUID jetsonId, Instant since) {
    Map<String, Double> rtts = new HashMap<>();
    jdbc.sql("SELECT region, rtt_ms FROM latency_report WHERE jetson_id = ? AND measured_at >= ?")
        .params(jetsonId, Timestamp.from(since))
        .query(
            rs -> {
              rtts.put(rs.getString("region"), rs.getDouble("rtt_ms"));
            });
    return rtts;
  }
}
