package dev.spoq.relay.auth;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.registry.ApiKeyIntrospection;
import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.registry.DeviceTokenIntrospection;
import dev.spoq.relay.audit.DenialAudit;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Turns an {@code Authorization: Bearer ...} header into a {@link Caller}: device tokens ({@code
 * spoq_dev_...}) and API keys ({@code spoq_key_...}) are introspected at the registry (short cache,
 * negative answers cached too, fail closed). Anything else is 401. Failures are limited per source
 * address ({@link AuthFailureLimiter}: 429 with Retry-After) and audited aggregated ({@link
 * DenialAudit}); so are refusals (403/404 of another tenant's resource, see {@link #denied}).
 */
@Component
public class CallerResolver {

  private static final String DEVICE_PREFIX = "spoq_dev_";
  private static final String API_KEY_PREFIX = "spoq_key_";
  private static final String CALLER_ATTRIBUTE = CallerResolver.class.getName() + ".caller";

  private final CachingRegistryAuthenticator authenticator;
  private final AuthFailureLimiter limiter;
  private final DenialAudit denials;

  CallerResolver(
      CachingRegistryAuthenticator authenticator, AuthFailureLimiter limiter, DenialAudit denials) {
    this.authenticator = authenticator;
    this.limiter = limiter;
    this.denials = denials;
  }

  /** Authenticates the request once (ApiAuthInterceptor runs it before the body is read). */
  public Caller authenticate(HttpServletRequest request) {
    Object known = request.getAttribute(CALLER_ATTRIBUTE);
    if (known instanceof Caller caller) {
      return caller;
    }
    String source = request.getRemoteAddr();
    limiter.check(source);
    try {
      Caller caller = resolve(request.getHeader(BearerToken.HEADER));
      request.setAttribute(CALLER_ATTRIBUTE, caller);
      return caller;
    } catch (ApiProblemException e) {
      boolean overLimit = limiter.recordFailure(source);
      denials.deny("auth.failed", "unknown", source, request.getRequestURI(), e.getMessage());
      if (overLimit) {
        // the limit was used up through other replicas: this replica now holds the source back
        limiter.check(source);
      }
      throw e;
    }
  }

  /** The caller of the current request (authenticated by the interceptor, or now). */
  public Caller require(String authorizationHeader) {
    HttpServletRequest request = currentRequest();
    if (request != null) {
      return authenticate(request);
    }
    return resolve(authorizationHeader);
  }

  private Caller resolve(String authorizationHeader) {
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
    throw denied(caller, "admin", ApiProblemException.forbidden("This needs an admin API key."));
  }

  public Caller.Device requireDevice(String authorizationHeader) {
    Caller caller = require(authorizationHeader);
    if (caller instanceof Caller.Device device) {
      return device;
    }
    throw denied(
        caller, "device", ApiProblemException.forbidden("This needs the Jetson's device token."));
  }

  /** Audits (aggregated) a refusal of {@code caller} on {@code target} and returns the problem. */
  public ApiProblemException denied(Caller caller, String target, ApiProblemException problem) {
    HttpServletRequest request = currentRequest();
    denials.deny(
        "relay.access.denied",
        caller.actor(),
        request == null ? null : request.getRemoteAddr(),
        (request == null ? "" : request.getMethod() + " " + request.getRequestURI())
            + " ("
            + target
            + ")",
        problem.getMessage());
    return problem;
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

  private static HttpServletRequest currentRequest() {
    RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
    return attributes instanceof ServletRequestAttributes s ? s.getRequest() : null;
  }
}
