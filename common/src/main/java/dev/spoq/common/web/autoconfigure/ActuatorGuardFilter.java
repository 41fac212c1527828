package dev.spoq.common.web.autoconfigure;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.common.web.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code /actuator/**}: the health probes are open, everything else (prometheus, info, ...) needs a
 * credential {@link ActuatorAccess} accepts. Decided on the normalised path routing uses ({@link
 * RequestPaths}), after {@link AmbiguousPathFilter} refused paths that could be read two ways.
 */
class ActuatorGuardFilter extends OncePerRequestFilter {

  private final ActuatorAccess access;
  private final String basePath;

  ActuatorGuardFilter(ActuatorAccess access, String basePath) {
    this.access = access;
    this.basePath = basePath;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (RequestPaths.ambiguity(request).isPresent()) {
      Problems.write(response, 400, "The request path is ambiguous; send it in plain form.");
      return;
    }
    String path = RequestPaths.normalized(request);
    if (!RequestPaths.isUnder(path, basePath) || RequestPaths.isUnder(path, basePath + "/health")) {
      chain.doFilter(request, response);
      return;
    }
    String token = BearerToken.parse(request.getHeader(BearerToken.HEADER)).orElse(null);
    ActuatorAccess.Verdict verdict;
    try {
      verdict = token == null ? ActuatorAccess.Verdict.UNAUTHENTICATED : access.check(token);
    } catch (RegistryUnavailableException e) {
      Problems.write(response, 503, "Credentials cannot be checked right now; retry later.");
      return;
    }
    switch (verdict) {
      case ALLOWED -> chain.doFilter(request, response);
      case FORBIDDEN ->
          Problems.write(response, 403, "Management endpoints need an admin API key.");
      case UNAUTHENTICATED ->
          Problems.write(response, 401, "Management endpoints need an admin API key.");
    }
  }
}
