package dev.spoq.relay.plugin;

import dev.spoq.common.token.Tokens;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
class PluginRepository {

  /** The Jetson a relay credential belongs to, with its assignment (null fields if none). */
  record Holder(UUID jetsonId, String relayId, Integer remotePort) {}

  private final JdbcClient jdbc;

  PluginRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<Holder> holder(String credential) {
    return jdbc.sql(
            """
            SELECT c.jetson_id, a.relay_id, a.remote_port FROM relay_credential c
            LEFT JOIN assignment a ON a.jetson_id = c.jetson_id WHERE c.token_hash = ?
            """)
        .param(Tokens.hash(credential))
        .query(
            (rs, i) ->
                new Holder(
                    rs.getObject("jetson_id", UUID.class),
                    rs.getString("relay_id"),
                    (Integer) rs.getObject("remote_port", Integer.class)))
        .optional();
  }

  void event(
      String relayId,
      UUID jetsonId,
      String op,
      String proxyName,
      boolean allowed,
      String reason,
      String runId,
      String clientAddr) {
    jdbc.sql(
            """
            INSERT INTO plugin_event (relay_id, jetson_id, op, proxy_name, allowed, reason, run_id,
              client_addr) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        .params(
            relayId,
            jetsonId,
            op,
            cap(proxyName, 128),
            allowed,
            cap(reason, 300),
            cap(runId, 64),
            cap(clientAddr, 64))
        .update();
  }

  /**
   * Records an allowed event once per frpc session ({@code run_id}) and op/proxy: frps may repeat a
   * NewProxy to another coordinator replica after a failure, and that is the same event.
   */
  void eventOnce(
      String relayId, UUID jetsonId, String op, String proxyName, String runId, String clientAddr) {
    jdbc.sql(
            """
            INSERT INTO plugin_event (relay_id, jetson_id, op, proxy_name, allowed, run_id, client_addr)
            SELECT ?, ?, ?, ?, true, ?, ?
            WHERE NOT EXISTS (SELECT 1 FROM plugin_event WHERE jetson_id = ? AND run_id = ?
                              AND op = ? AND allowed AND proxy_name IS NOT DISTINCT FROM ?)
            """)
        .params(
            relayId,
            jetsonId,
            op,
            cap(proxyName, 128),
            cap(runId, 64),
            cap(clientAddr, 64),
            jetsonId,
            cap(runId, 64),
            op,
            cap(proxyName, 128))
        .update();
  }

  private static String cap(String s, int max) {
    return s == null ? null : (s.length() > max ? s.substring(0, max) : s);
  }
}
