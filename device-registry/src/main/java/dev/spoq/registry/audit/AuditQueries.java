package dev.spoq.registry.audit;

import dev.spoq.registry.security.ApiKeyCaller;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the audit trail, newest first, limited to what the key may see. */
@Service
class AuditQueries {

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

  AuditQueries(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /** An admin key sees every event; an account key only its account's. */
  @Transactional(readOnly = true)
  AuditPage page(ApiKeyCaller caller, int page, int size, String action, String outcome) {
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
