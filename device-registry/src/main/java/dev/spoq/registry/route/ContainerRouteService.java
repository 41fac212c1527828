package dev.spoq.registry.route;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.account.Account;
import dev.spoq.registry.account.AccountService;
import dev.spoq.registry.account.Product;
import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.security.Access;
import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.sshkey.OpenSshPublicKey;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Where a Cloud account's container listens for SSH; set by ops / the orchestrator (admin). */
@Service
public class ContainerRouteService {

  public record ContainerRoute(
      UUID accountId, String username, String host, int port, String hostKey, Instant updatedAt) {}

  private final JdbcClient jdbc;
  private final AccountService accounts;
  private final Access access;
  private final AuditLog auditLog;
  private final RouteHostPolicy hosts;

  ContainerRouteService(
      JdbcClient jdbc,
      AccountService accounts,
      Access access,
      AuditLog auditLog,
      RouteHostPolicy hosts) {
    this.jdbc = jdbc;
    this.accounts = accounts;
    this.access = access;
    this.auditLog = auditLog;
    this.hosts = hosts;
  }

  @Transactional
  ContainerRoute set(ApiKeyCaller caller, String username, String host, int port, String hostKey) {
    access.requireAdmin(caller, "container-route.set", "account:" + username);
    Account account = accounts.visible(caller, username, "container-route.set");
    if (account.product() != Product.CLOUD) {
      throw ApiProblemException.conflict(
          "Account '" + username + "' is a JETSON account; only CLOUD accounts have a container.");
    }
    hosts.check(host);
    OpenSshPublicKey key;
    try {
      key = OpenSshPublicKey.parse(hostKey);
    } catch (IllegalArgumentException e) {
      throw ApiProblemException.invalid("hostKey: " + e.getMessage());
    }
    jdbc.sql(
            """
            INSERT INTO container_route (account_id, host, port, host_key) VALUES (?, ?, ?, ?)
            ON CONFLICT (account_id)
            DO UPDATE SET host = excluded.host, port = excluded.port,
                          host_key = excluded.host_key, updated_at = now()
            """)
        .params(account.id(), host, port, key.keyOnly())
        .update();
    auditLog.success(
        caller,
        "container-route.set",
        "account:" + username + "/container-route",
        account.id(),
        Map.of("host", host, "port", port, "hostKeyFingerprint", key.fingerprint()));
    return find(account).orElseThrow();
  }

  @Transactional
  void delete(ApiKeyCaller caller, String username) {
    access.requireAdmin(caller, "container-route.delete", "account:" + username);
    Account account = accounts.visible(caller, username, "container-route.delete");
    int deleted =
        jdbc.sql("DELETE FROM container_route WHERE account_id = ?").param(account.id()).update();
    if (deleted == 0) {
      throw ApiProblemException.notFound("Account '" + username + "' has no container route.");
    }
    auditLog.success(
        caller, "container-route.delete", "account:" + username + "/container-route", account.id());
  }

  @Transactional(readOnly = true)
  ContainerRoute get(ApiKeyCaller caller, String username) {
    Account account = accounts.visible(caller, username, "container-route.read");
    return find(account)
        .orElseThrow(
            () ->
                ApiProblemException.notFound("Account '" + username + "' has no container route."));
  }

  @Transactional(readOnly = true)
  public Optional<ContainerRoute> find(Account account) {
    return jdbc.sql(
            "SELECT host, port, host_key, updated_at FROM container_route WHERE account_id = ?")
        .param(account.id())
        .query(
            (rs, n) ->
                new ContainerRoute(
                    account.id(),
                    account.username(),
                    rs.getString("host"),
                    rs.getInt("port"),
                    rs.getString("host_key"),
                    rs.getTimestamp("updated_at").toInstant()))
        .optional();
  }
}
