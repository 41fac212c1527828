package dev.spoq.relay.auth;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.registry.ApiKeyIntrospection;
import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.registry.DeviceTokenIntrospection;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;

/**
 * Turns an {@code Authorization: Bearer ...} header into a {@link Caller}: device tokens ({@code
 * spoq_dev_...}) and API keys ({@code spoq_key_...}) are introspected at the registry (short cache,
 * fail closed). Anything else is 401.
 */
@Component
public class CallerResolver {

  private static final String DEVICE_PREFIX = "spoq_dev_";
  private static final String API_KEY_PREFIX = "spoq_key_";

  private final CachingRegistryAuthenticator authenticator;

  CallerResolver(CachingRegistryAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  public Caller require(String authorizationHeader) {
    String token =
        BearerToken.parse(authorizationHeader)
            .orElseThrow(
                () ->
                    ApiProblemException.unauthorized(
                        "Send a device token or API key as 'Authorization: Bearer <token>'."));
    if (token.startsWith(DEVICE_PREFIX)) {
      Optional<DeviceTokenIntrospection> device = authenticator.device(token);
      if (device.isPresent()) {
        DeviceTokenIntrospection d = device.get();
        return new Caller.Device(d.jetsonId(), d.accountId(), d.username(), d.subdomain());
      }
    } else if (token.startsWith(API_KEY_PREFIX)) {
      Optional<ApiKeyIntrospection> key = authenticator.apiKey(token);
      if (key.isPresent()) {
        ApiKeyIntrospection k = key.get();
        if (k.isAdmin()) {
          return new Caller.Admin();
        }
        if ("ACCOUNT".equals(k.scope()) && k.username() != null) {
          return new Caller.Account(k.accountId(), k.username());
        }
      }
    }
    throw ApiProblemException.unauthorized("The credential is unknown, revoked or expired.");
  }

  public Caller.Admin requireAdmin(String authorizationHeader) {
    Caller caller = require(authorizationHeader);
    if (caller instanceof Caller.Admin admin) {
      return admin;
    }
    throw ApiProblemException.forbidden("This needs an admin API key.");
  }

  public Caller.Device requireDevice(String authorizationHeader) {
    Caller caller = require(authorizationHeader);
    if (caller instanceof Caller.Device device) {
      return device;
    }
    throw ApiProblemException.forbidden("This needs the Jetson's device token.");
  }

  /** Whether the caller may see the given Jetson (owned by {@code username}). */
  public static boolean mayAccess(Caller caller, UUID jetsonId, String username) {
    if (caller instanceof Caller.Admin) {
      return true;
    }
    if (caller instanceof Caller.Account account) {
      return account.username().equals(username);
    }
    if (caller instanceof Caller.Device device) {
      return device.jetsonId().equals(jetsonId);
    }
    return false;
  }
}
