package dev.spoq.dns.record.web;

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

/** The service's one advice: the shared problem model plus dns-api's own mappings. */
@RestControllerAdvice
class DnsApiAdvice extends ProblemDetailsAdvice {

  private static final Logger log = LoggerFactory.getLogger(DnsApiAdvice.class);

  @Override
  @ExceptionHandler(ApiProblemException.class)
  public ResponseEntity<ProblemDetail> handleApiProblem(ApiProblemException e) {
    ResponseEntity.BodyBuilder answer = ResponseEntity.status(e.status());
    if (e.status() == HttpStatus.UNAUTHORIZED) {
      answer.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"spoq\"");
    }
    return answer.body(e.toProblemDetail());
  }

  @ExceptionHandler(RateLimitedException.class)
  ResponseEntity<ProblemDetail> handleRateLimited(RateLimitedException e) {
    ProblemDetail problem = e.toProblemDetail();
    problem.setProperty("retryAfterSeconds", e.retryAfterSeconds());
    return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
        .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()))
        .body(problem);
  }

  @ExceptionHandler(RegistryUnavailableException.class)
  ResponseEntity<ProblemDetail> handleRegistryUnavailable(RegistryUnavailableException e) {
    log.warn("credential check impossible, refusing the request: {}", e.getMessage());
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.SERVICE_UNAVAILABLE,
            "The credential cannot be checked right now (device registry unreachable); try again"
                + " shortly.");
    problem.setType(ProblemTypes.UPSTREAM_UNAVAILABLE);
    problem.setTitle("Upstream unavailable");
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "5")
        .body(problem);
  }
}
