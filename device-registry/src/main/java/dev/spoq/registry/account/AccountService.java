package dev.spoq.registry.account;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.security.Access;
import dev.spoq.registry.security.ApiKeyCaller;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class AccountService {

  private final AccountRepository accounts;
  private final Access access;
  private final AuditLog auditLog;

  AccountService(AccountRepository accounts, Access access, AuditLog auditLog) {
    this.accounts = accounts;
    this.access = access;
    this.auditLog = auditLog;
  }

  @Transactional
  public Account create(ApiKeyCaller caller, String username, String subdomain, Product product) {
    access.requireAdmin(caller, "account.create", "account:" + username);
    if (Names.isReserved(username)) {
      throw ApiProblemException.invalid("The username '" + username + "' is reserved.");
    }
    if (Names.isReserved(subdomain)) {
      throw ApiProblemException.invalid("The subdomain '" + subdomain + "' is reserved.");
    }
    if (accounts.findByUsername(username).isPresent()) {
      throw ApiProblemException.conflict("The username '" + username + "' is taken.");
    }
    if (accounts.subdomainTaken(subdomain)) {
      throw ApiProblemException.conflict("The subdomain '" + subdomain + "' is taken.");
    }
    Account account;
    try {
      account = accounts.insert(username, subdomain, product);
    } catch (DuplicateKeyException e) {
      throw ApiProblemException.conflict("The username or subdomain is taken.");
    }
    auditLog.success(
        caller,
        "account.create",
        "account:" + username,
        account.id(),
        Map.of("subdomain", subdomain, "product", product.name()));
    return account;
  }

  /** The account if the key may see it; 404 otherwise (missing or another tenant's). */
  @Transactional(readOnly = true)
  public Account visible(ApiKeyCaller caller, String username, String action) {
    String detail = "No account named '" + username + "'.";
    Account account =
        accounts.findByUsername(username).orElseThrow(() -> ApiProblemException.notFound(detail));
    access.requireAccount(caller, account.id(), action, "account:" + username, detail);
    return account;
  }

  @Transactional(readOnly = true)
  public List<Account> list(ApiKeyCaller caller, int limit, int offset) {
    if (caller.isAdmin()) {
      return accounts.findAll(limit, offset);
    }
    return offset > 0
        ? List.of()
        : accounts.findById(caller.accountId()).map(List::of).orElse(List.of());
  }
}
