package dev.spoq.relay.web;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.common.web.ProblemDetailsAdvice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The relay coordinator's error mapping: the shared model plus "registry unavailable". */
@RestControllerAdvice
class RelayProblemAdvice extends ProblemDetailsAdvice {

  private static final Logger log = LoggerFactory.getLogger(RelayProblemAdvice.class);

  /**
   * The shared mapping, plus the headers HTTP asks for when the thrower set none: {@code
   * WWW-Authenticate} on 401 (RFC 9110 section 11.6.1), {@code Retry-After} on 429 and 503.
   */
  @Override
  public ResponseEntity<ProblemDetail> handleApiProblem(ApiProblemException e) {
    ResponseEntity<ProblemDetail> base = super.handleApiProblem(e);
    HttpHeaders headers = new HttpHeaders();
    headers.putAll(base.getHeaders());
    if (e.status() == HttpStatus.UNAUTHORIZED && !headers.containsHeader("WWW-Authenticate")) {
      headers.set("WWW-Authenticate", "Bearer realm=\"spoq\"");
    }
    if ((e.status() == HttpStatus.TOO_MANY_REQUESTS || e.status() == HttpStatus.SERVICE_UNAVAILABLE)
        && !headers.containsHeader("Retry-After")) {
      headers.set("Retry-After", "5");
    }
    return new ResponseEntity<>(base.getBody(), headers, base.getStatusCode());
  }

  @ExceptionHandler(RegistryUnavailableException.class)
  ResponseEntity<ProblemDetail> registryUnavailable(RegistryUnavailableException e) {
    log.warn("registry unavailable: {}", e.getMessage());
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.SERVICE_UNAVAILABLE,
            "The device registry cannot be reached right now; try again shortly.");
    problem.setType(ProblemTypes.UPSTREAM_UNAVAILABLE);
    problem.setTitle("Upstream unavailable");
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header("Retry-After", "5")
        .body(problem);
  }
}
