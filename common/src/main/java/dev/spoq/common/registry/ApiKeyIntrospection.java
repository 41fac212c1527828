package dev.spoq.common.registry;

import java.util.UUID;

/**
 * Answer of {@code POST /internal/v1/api-keys/introspect}. Scope {@code ADMIN} may act on every
 * account; scope {@code ACCOUNT} only on {@code accountId}/{@code username}.
 */
public record ApiKeyIntrospection(boolean active, String scope, UUID accountId, String username) {

  public boolean isAdmin() {
    return active && "ADMIN".equals(scope);
  }

  /** Whether this key may act on the given account. */
  public boolean permits(String accountUsername) {
    return active && (isAdmin() || (username != null && username.equals(accountUsername)));
  }
}
