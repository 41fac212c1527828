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
            .params(caller.jetsonId(), json.writeValueAsString(believable(report)))
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
