package dev.spoq.registry.web;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.web.ProblemDetailsAdvice;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The registry's single advice: the shared error model plus the registry's domain mappings. */
@RestControllerAdvice
class RegistryProblemAdvice extends ProblemDetailsAdvice {

  /** A uniqueness or reference rule the database enforced that a service check did not catch. */
  @ExceptionHandler(DataIntegrityViolationException.class)
  ResponseEntity<ProblemDetail> handleIntegrity(DataIntegrityViolationException e) {
    ApiProblemException problem =
        ApiProblemException.conflict(
            "The change conflicts with the current state (a duplicate or a concurrent change); nothing was changed.");
    return ResponseEntity.status(problem.status()).body(problem.toProblemDetail());
  }
}
