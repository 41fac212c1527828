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
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The last status report of each Jetson's agent. */
@Service
public class StatusService {

  public record StoredReport(Instant receivedAt, JsonNode report) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final AuditLog auditLog;
  private final ReportedAddresses addresses;

  StatusService(JdbcClient jdbc, JsonMapper json, AuditLog auditLog, ReportedAddresses addresses) {
    this.jdbc = jdbc;
    this.json = json;
    this.auditLog = auditLog;
    this.addresses = addresses;
  }

  /**
   * Stores the report. Reports arrive every few seconds, so only a change of connection mode is an
   * audit event, not every report. One statement reads the previous mode and stores the report (a
   * CTE's parts see the same snapshot: {@code previous} is the row before this upsert).
   */
  @Transactional
  public Instant store(DeviceCaller caller, StatusReport report) {
    Stored stored =
        jdbc.sql(
                """
                WITH previous AS (
                  SELECT report -> 'connection' ->> 'mode' AS mode
                  FROM status_report WHERE jetson_id = ?),
                upserted AS (
                  INSERT INTO status_report (jetson_id, report, received_at)
                  VALUES (?, ?::jsonb, now())
                  ON CONFLICT (jetson_id)
                  DO UPDATE SET report = excluded.report, received_at = excluded.received_at
                  RETURNING received_at)
                SELECT upserted.received_at,
                       EXISTS (SELECT 1 FROM previous) AS had_previous,
                       (SELECT mode FROM previous) AS previous_mode
                FROM upserted
                """)
            .params(
                caller.jetsonId(), caller.jetsonId(), json.writeValueAsString(believable(report)))
            .query(
                (rs, n) ->
                    new Stored(
                        rs.getTimestamp("received_at").toInstant(),
                        rs.getBoolean("had_previous"),
                        rs.getString("previous_mode")))
            .single();
    String mode = report.connection() == null ? null : report.connection().mode();
    if (!stored.hadPrevious() || (mode != null && !mode.equals(stored.previousMode()))) {
      auditLog.success(
          caller,
          stored.hadPrevious() ? "status.mode-change" : "status.first-report",
          "jetson:" + caller.jetsonId(),
          caller.accountId(),
          mode == null ? java.util.Map.of() : java.util.Map.of("mode", mode));
    }
    return stored.receivedAt();
  }

  private record Stored(Instant receivedAt, boolean hadPrevious, String previousMode) {}

  /**
   * The report with every reported address that is not a public unicast address removed and named
   * in {@code refused_addresses}, so no service offers a path to it.
   */
  private ObjectNode believable(StatusReport report) {
    ObjectNode tree = (ObjectNode) json.valueToTree(report);
    ArrayNode refused = json.createArrayNode();
    if (report.upnp() != null && report.upnp().externalIp() != null) {
      addresses
          .refusal(report.upnp().externalIp())
          .ifPresent(
              why -> {
                ((ObjectNode) tree.get("upnp")).remove("external_ip");
                refused.add("upnp.external_ip: " + why);
              });
    }
    if (report.dns() != null && report.dns().pointsTo() != null) {
      addresses
          .refusal(report.dns().pointsTo())
          .ifPresent(
              why -> {
                ((ObjectNode) tree.get("dns")).remove("points_to");
                refused.add("dns.points_to: " + why);
              });
    }
    if (!refused.isEmpty()) {
      tree.set("refused_addresses", refused);
    }
    return tree;
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
