package dev.spoq.registry.security;

import java.util.UUID;

/**
 * A web-app caller holding an API key. ADMIN keys act on every account; ACCOUNT keys only on {@code
 * accountId}. {@code keyId} is null for the bootstrap admin key from configuration.
 */
public record ApiKeyCaller(
    UUID keyId, ApiKeyScope scope, UUID accountId, String username, String sourceIp)
    implements Caller {

  public boolean isAdmin() {
    return scope == ApiKeyScope.ADMIN;
  }

  /** Whether this key may read or change things of the given account. */
  public boolean mayAccess(UUID account) {
    return isAdmin() || (accountId != null && accountId.equals(account));
  }

  @Override
  public String actor() {
    if (isAdmin()) {
      return keyId == null ? "admin:bootstrap" : "admin:" + keyId;
    }
    return "user:" + username;
  }
}
