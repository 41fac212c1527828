package dev.spoq.registry.security;

import dev.spoq.common.web.autoconfigure.ActuatorAccess;
import org.springframework.stereotype.Component;

/**
 * Common's actuator guard, decided locally: a service token or an ADMIN API key may read the
 * management endpoints, any other valid credential is refused (403), anything else is 401.
 */
@Component
class RegistryActuatorAccess implements ActuatorAccess {

  private final Credentials credentials;

  RegistryActuatorAccess(Credentials credentials) {
    this.credentials = credentials;
  }

  @Override
  public Verdict check(String bearerToken) {
    if (credentials.service(bearerToken, null).isPresent()
        || credentials.apiKey(bearerToken, null).filter(ApiKeyCaller::isAdmin).isPresent()) {
      return Verdict.ALLOWED;
    }
    return credentials.any(bearerToken, null).isPresent()
        ? Verdict.FORBIDDEN
        : Verdict.UNAUTHENTICATED;
  }
}
