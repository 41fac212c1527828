package dev.spoq.registry.security;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.problem.ProblemTypes;
import dev.spoq.common.web.RequestPaths;
import dev.spoq.registry.audit.AggregatedAudit;
import dev.spoq.registry.audit.AuditLog;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decides by path which credential a request needs, authenticates it, and stores the {@link Caller}
 * as a request attribute. Nothing but health is open; every refusal is an RFC 9457 problem and an
 * audit event.
 *
 * <ul>
 *   <li>{@code /actuator/health/**}: open
 *   <li>{@code /actuator/**}: a service token or an ADMIN API key
 *   <li>{@code /internal/**}: a service token
 *   <li>{@code POST /api/jetsons/enroll}: none (the enrollment code in the body is the credential)
 *   <li>{@code /api/jetsons/self/**}: a device token
 *   <li>{@code /v3/api-docs/**}: an API key or a service token
 *   <li>everything else: an API key
 * </ul>
 */
public class AuthenticationFilter extends OncePerRequestFilter {

  public static final String CALLER_ATTRIBUTE = AuthenticationFilter.class.getName() + ".caller";

  enum Requirement {
    NONE,
    SERVICE,
    SERVICE_OR_ADMIN,
    API_KEY,
    API_KEY_OR_SERVICE,
    DEVICE
  }

  private final Credentials credentials;
  private final AggregatedAudit audit;
  private final FailedAuthLimiter limiter;
  private final JsonMapper json;

  public AuthenticationFilter(
      Credentials credentials, AggregatedAudit audit, FailedAuthLimiter limiter, JsonMapper json) {
    this.credentials = credentials;
    this.audit = audit;
    this.limiter = limiter;
    this.json = json;
  }

  static Requirement requirementFor(String method, String path) {
    if (path.equals("/actuator/health") || path.startsWith("/actuator/health/")) {
      return Requirement.NONE;
    }
    if (path.equals("/actuator") || path.startsWith("/actuator/")) {
      return Requirement.SERVICE_OR_ADMIN;
    }
    if (path.equals("/internal") || path.startsWith("/internal/")) {
      return Requirement.SERVICE;
    }
    if (path.equals("/api/jetsons/enroll") && "POST".equals(method)) {
      return Requirement.NONE;
    }
    if (path.equals("/api/jetsons/self") || path.startsWith("/api/jetsons/self/")) {
      return Requirement.DEVICE;
    }
    if (path.equals("/v3/api-docs") || path.startsWith("/v3/api-docs/")) {
      return Requirement.API_KEY_OR_SERVICE;
    }
    return Requirement.API_KEY;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    // The edge (common's AmbiguousPathFilter) refused paths that decode two ways; authorise on the
    // decoded path that routing uses, so /%61ctuator/... is /actuator/... here too.
    if (RequestPaths.ambiguity(request).isPresent()) {
      ProblemDetail problem =
          ProblemDetail.forStatusAndDetail(
              HttpStatus.BAD_REQUEST, "The request path is ambiguous; send it in plain form.");
      problem.setType(ProblemTypes.MALFORMED_REQUEST);
      problem.setTitle("Bad Request");
      response.setStatus(400);
      response.setContentType("application/problem+json");
      response.getOutputStream().write(json.writeValueAsBytes(problem));
      return;
    }
    String path = RequestPaths.normalized(request);
    Requirement requirement = requirementFor(request.getMethod(), path);
    if (requirement == Requirement.NONE) {
      chain.doFilter(request, response);
      return;
    }
    String sourceIp = request.getRemoteAddr();
    long retryAfter = limiter.retryAfterSeconds(sourceIp);
    if (retryAfter > 0) {
      rateLimited(request, response, retryAfter);
      return;
    }
    Optional<String> token = BearerToken.parse(request.getHeader(BearerToken.HEADER));
    if (token.isEmpty()) {
      refuse(request, response, HttpStatus.UNAUTHORIZED, "missing-credential", requirement);
      return;
    }
    Optional<? extends Caller> caller = authenticate(requirement, token.get(), sourceIp);
    if (caller.isPresent()) {
      request.setAttribute(CALLER_ATTRIBUTE, caller.get());
      chain.doFilter(request, response);
      return;
    }
    // A valid credential of the wrong kind is a 403; anything else a 401.
    Optional<? extends Caller> other = credentials.any(token.get(), sourceIp);
    if (other.isPresent()) {
      refuse(request, response, HttpStatus.FORBIDDEN, "wrong-credential-kind", requirement);
    } else {
      refuse(request, response, HttpStatus.UNAUTHORIZED, "invalid-credential", requirement);
    }
  }

  private Optional<? extends Caller> authenticate(
      Requirement requirement, String token, String sourceIp) {
    return switch (requirement) {
      case SERVICE -> credentials.service(token, sourceIp);
      case SERVICE_OR_ADMIN -> {
        Optional<? extends Caller> service = credentials.service(token, sourceIp);
        yield service.isPresent()
            ? service
            : credentials.apiKey(token, sourceIp).filter(ApiKeyCaller::isAdmin);
      }
      case API_KEY -> credentials.apiKey(token, sourceIp);
      case API_KEY_OR_SERVICE -> {
        Optional<? extends Caller> service = credentials.service(token, sourceIp);
        yield service.isPresent() ? service : credentials.apiKey(token, sourceIp);
      }
      case DEVICE -> credentials.deviceToken(token, sourceIp);
      case NONE -> throw new IllegalStateException("no credential needed");
    };
  }

  private void refuse(
      HttpServletRequest request,
      HttpServletResponse response,
      HttpStatus status,
      String reason,
      Requirement requirement)
      throws IOException {
    String target = request.getMethod() + " " + truncate(request.getRequestURI(), 200);
    if (status == HttpStatus.UNAUTHORIZED) {
      // Counted fleet-wide: beyond the limit (reached through other replicas) this is a 429.
      long retryAfter = limiter.recordFailure(request.getRemoteAddr());
      if (retryAfter > 0) {
        rateLimited(request, response, retryAfter);
        return;
      }
    }
    audit.record(
        new AuditLog.Event(
            "anonymous",
            "auth.failed",
            target,
            request.getRemoteAddr(),
            status == HttpStatus.FORBIDDEN ? AuditLog.Outcome.DENIED : AuditLog.Outcome.FAILURE,
            null,
            null,
            Map.of("reason", reason, "required", requirement.name())));
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            status,
            status == HttpStatus.UNAUTHORIZED
                ? "A valid bearer credential is required (" + describe(requirement) + ")."
                : "This credential may not call this endpoint (" + describe(requirement) + ").");
    URI type =
        status == HttpStatus.UNAUTHORIZED ? ProblemTypes.UNAUTHORIZED : ProblemTypes.FORBIDDEN;
    problem.setType(type);
    problem.setTitle(status == HttpStatus.UNAUTHORIZED ? "Unauthorized" : "Forbidden");
    response.setStatus(status.value());
    if (status == HttpStatus.UNAUTHORIZED) {
      response.setHeader("WWW-Authenticate", "Bearer");
    }
    response.setContentType("application/problem+json");
    response
        .getOutputStream()
        .write(json.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8));
  }

  private void rateLimited(HttpServletRequest request, HttpServletResponse response, long seconds)
      throws IOException {
    audit.record(
        new AuditLog.Event(
            "anonymous",
            "auth.rate-limited",
            request.getMethod() + " " + truncate(request.getRequestURI(), 200),
            request.getRemoteAddr(),
            AuditLog.Outcome.DENIED,
            null,
            null,
            Map.of()));
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.TOO_MANY_REQUESTS,
            "Too many failed authentications from this address; retry after "
                + seconds
                + " seconds.");
    problem.setType(ProblemTypes.RATE_LIMITED);
    problem.setTitle("Too many requests");
    response.setStatus(429);
    response.setHeader("Retry-After", Long.toString(seconds));
    response.setContentType("application/problem+json");
    response.getOutputStream().write(json.writeValueAsBytes(problem));
  }

  private static String describe(Requirement requirement) {
    return switch (requirement) {
      case SERVICE -> "a service credential";
      case SERVICE_OR_ADMIN -> "a service credential or an admin API key";
      case API_KEY -> "an API key";
      case API_KEY_OR_SERVICE -> "an API key or a service credential";
      case DEVICE -> "a Jetson device token";
      case NONE -> "none";
    };
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
