package dev.spoq.relay.auth;

import dev.spoq.relay.config.AuthenticatesFirst;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Every {@code /api/**} request (and the OpenAPI document) is authenticated before its body is read
 * or validated.
 */
@Component
class ApiAuthInterceptor implements AuthenticatesFirst {

  private final CallerResolver callers;

  ApiAuthInterceptor(CallerResolver callers) {
    this.callers = callers;
  }

  @Override
  public List<String> pathPatterns() {
    return List.of("/api/**", "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml");
  }

  @Override
  public boolean preHandle(
      HttpServletRequest request, HttpServletResponse response, Object handler) {
    callers.authenticate(request);
    return true;
  }
}
