package dev.spoq.registry.audit;

import dev.spoq.registry.security.ApiKeyCaller;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Paged audit trail, newest first: an admin key sees all, an account key its own account's. */
@RestController
class AuditController {

  record AuditEventResponse(
      long id,
      Instant occurredAt,
      String actor,
      String action,
      String target,
      String sourceIp,
      String outcome,
      UUID accountId,
      String service,
      JsonNode details) {}

  record AuditPage(int page, int size, long totalElements, List<AuditEventResponse> items) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;

  AuditController(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  @GetMapping("/api/audit-events")
  AuditPage list(
      ApiKeyCaller caller,
      @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int page,
      @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size,
      @RequestParam(required = false) @Pattern(regexp = "^[a-z0-9._-]{1,100}$") String action,
      @RequestParam(required = false) @Pattern(regexp = "^(SUCCESS|FAILURE|DENIED)$")
          String outcome) {
    StringBuilder where = new StringBuilder(" WHERE true");
    List<Object> params = new ArrayList<>();
    if (!caller.isAdmin()) {
      where.append(" AND account_id = ?");
      params.add(caller.accountId());
    }
    if (action != null) {
      where.append(" AND action = ?");
      params.add(action);
    }
    if (outcome != null) {
      where.append(" AND outcome = ?");
      params.add(outcome);
    }
    long total =
        jdbc.sql("SELECT count(*) FROM audit_event" + where)
            .params(params)
            .query(Long.class)
            .single();
    List<Object> pageParams = new ArrayList<>(params);
    pageParams.add(size);
    pageParams.add((long) page * size);
    List<AuditEventResponse> items =
        jdbc.sql(
                "SELECT id, occurred_at, actor, action, target, source_ip, outcome, account_id,"
                    + " service, details::text AS details FROM audit_event"
                    + where
                    + " ORDER BY id DESC LIMIT ? OFFSET ?")
            .params(pageParams)
            .query(
                (rs, n) ->
                    new AuditEventResponse(
                        rs.getLong("id"),
                        rs.getTimestamp("occurred_at").toInstant(),
                        rs.getString("actor"),
                        rs.getString("action"),
                        rs.getString("target"),
                        rs.getString("source_ip"),
                        rs.getString("outcome"),
                        rs.getObject("account_id", UUID.class),
                        rs.getString("service"),
                        json.readTree(rs.getString("details"))))
            .list();
    return new AuditPage(page, size, total, items);
  }
}
