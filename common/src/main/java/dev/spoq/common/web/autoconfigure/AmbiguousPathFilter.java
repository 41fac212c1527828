package dev.spoq.common.web.autoconfigure;

import dev.spoq.common.web.RequestPaths;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The edge: refuses a request whose raw path could be read two ways (400 problem), before any
 * authorisation looks at it, so that filters and routing always agree on the path.
 */
class AmbiguousPathFilter extends OncePerRequestFilter {

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    Optional<String> ambiguity = RequestPaths.ambiguity(request);
    if (ambiguity.isPresent()) {
      Problems.write(
          response,
          400,
          Problems.typeFor(400),
          "Bad Request",
          "The request path is ambiguous (" + ambiguity.get() + "); send it in plain form.");
      return;
    }
    chain.doFilter(request, response);
  }
}
