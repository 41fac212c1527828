package dev.spoq.relay.web;

import dev.spoq.common.problem.ProblemTypes;
import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.common.web.ProblemDetailsAdvice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The relay coordinator's error mapping: the shared model plus "registry unavailable". */
@RestControllerAdvice
class RelayProblemAdvice extends ProblemDetailsAdvice {

  private static final Logger log = LoggerFactory.getLogger(RelayProblemAdvice.class);

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
