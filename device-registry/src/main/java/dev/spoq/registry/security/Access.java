package dev.spoq.registry.security;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.audit.AggregatedAudit;
import dev.spoq.registry.audit.AuditLog;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Tenant isolation checks. Another account's resource answers 404 exactly like a missing one (its
 * existence is not revealed) and the attempt is audited as DENIED (aggregated per actor, action and
 * source per window, see {@link AggregatedAudit}).
 */
@Component
public class Access {

  private final AggregatedAudit audit;

  Access(AggregatedAudit audit) {
    this.audit = audit;
  }

  /** Refuses (404) when the key may not act on {@code accountId}. */
  public void requireAccount(
      ApiKeyCaller caller, UUID accountId, String action, String target, String notFoundDetail) {
    if (!caller.mayAccess(accountId)) {
      deny(caller, action, target);
      throw ApiProblemException.notFound(notFoundDetail);
    }
  }

  /** Refuses (403) anything but an ADMIN key. */
  public void requireAdmin(ApiKeyCaller caller, String action, String target) {
    if (!caller.isAdmin()) {
      deny(caller, action, target);
      throw ApiProblemException.forbidden("This operation needs an admin API key.");
    }
  }

  /**
   * Audits a refused attempt on something that exists but belongs to someone else, visible to
   * admins only: in the caller's own audit list it would tell a guessed id from a missing one.
   */
  public void denyUnseen(Caller caller, String action, String target) {
    audit.record(AuditLog.Event.by(caller, action, target, AuditLog.Outcome.DENIED, null));
  }

  /** Audits a refused attempt in a transaction of its own. */
  public void deny(Caller caller, String action, String target) {
    UUID own = null;
    if (caller instanceof ApiKeyCaller k) {
      own = k.accountId();
    } else if (caller instanceof DeviceCaller d) {
      own = d.accountId();
    }
    audit.record(AuditLog.Event.by(caller, action, target, AuditLog.Outcome.DENIED, own));
  }
}
