package dev.spoq.registry.status;

import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.security.DeviceCaller;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The last status report of each Jetson's agent. */
@Service
public class StatusService {

  public record StoredReport(Instant receivedAt, JsonNode report) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final AuditLog auditLog;

  StatusService(JdbcClient jdbc, JsonMapper json, AuditLog auditLog) {
    this.jdbc = jdbc;
    this.json = json;
    this.auditLog = auditLog;
  }

  /**
   * Stores the report. Reports arrive every few seconds, so only a change of connection mode is an
   * audit event, not every report.
   */
  @Transactional
  public Instant store(DeviceCaller caller, StatusReport report) {
    Optional<StoredReport> previous = last(caller.jetsonId());
    Instant received =
        jdbc.sql(
                """
                INSERT INTO status_report (jetson_id, report, received_at)
                VALUES (?, ?::jsonb, now())
                ON CONFLICT (jetson_id)
                DO UPDATE SET report = excluded.report, received_at = excluded.received_at
                RETURNING received_at
                """)
            .params(caller.jetsonId(), json.writeValueAsString(report))
            .query(java.sql.Timestamp.class)
            .single()
            .toInstant();
    String mode = report.connection() == null ? null : report.connection().mode();
    String before =
        previous
            .map(p -> p.report().path("connection").path("mode"))
            .filter(JsonNode::isString)
            .map(JsonNode::asString)
            .orElse(null);
    if (previous.isEmpty() || (mode != null && !mode.equals(before))) {
      auditLog.success(
          caller,
          previous.isEmpty() ? "status.first-report" : "status.mode-change",
          "jetson:" + caller.jetsonId(),
          caller.accountId(),
          mode == null ? java.util.Map.of() : java.util.Map.of("mode", mode));
    }
    return received;
  }

  @Transactional(readOnly = true)
  public Optional<StoredReport> last(UUID jetsonId) {
    return jdbc.sql(
            "SELECT report::text AS report, received_at FROM status_report WHERE jetson_id = ?")
        .param(jetsonId)
        .query(
            (rs, n) ->
                new StoredReport(
                    rs.getTimestamp("received_at").toInstant(),
                    json.readTree(rs.getString("report"))))
        .optional();
  }
}
