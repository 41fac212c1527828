package dev.spoq.common.web;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import jakarta.validation.ConstraintViolationException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The error model every service answers with: RFC 9457 problem details that say what is wrong
 * without echoing input, stack traces or internals. Each service declares exactly one
 * {@code @RestControllerAdvice} that extends this class and adds its own domain mappings.
 */
public abstract class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

  @ExceptionHandler(ApiProblemException.class)
  public ResponseEntity<ProblemDetail> handleApiProblem(ApiProblemException e) {
    ResponseEntity.BodyBuilder answer = ResponseEntity.status(e.status());
    e.headers().forEach((name, value) -> answer.header(name, value));
    return answer.body(e.toProblemDetail());
  }

  @ExceptionHandler(ConstraintViolationException.class)
  public ResponseEntity<ProblemDetail> handleConstraintViolation(ConstraintViolationException e) {
    List<Map<String, String>> errors =
        e.getConstraintViolations().stream()
            .map(
                v ->
                    Map.of(
                        "field",
                        lastNode(v.getPropertyPath().toString()),
                        "message",
                        v.getMessage()))
            .sorted(Comparator.comparing(m -> m.get("field")))
            .toList();
    return ResponseEntity.badRequest().body(validationProblem(errors));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  public ResponseEntity<ProblemDetail> handleTypeMismatch(MethodArgumentTypeMismatchException e) {
    return ResponseEntity.badRequest()
        .body(
            validationProblem(
                List.of(Map.of("field", e.getName(), "message", "has the wrong format"))));
  }

  @ExceptionHandler(PayloadTooLargeException.class)
  public ResponseEntity<ProblemDetail> handlePayloadTooLarge(PayloadTooLargeException e) {
    return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE)
        .body(payloadTooLarge(e.limitBytes()));
  }

  /** Last resort: log the cause, tell the caller nothing about it. */
  @ExceptionHandler(Exception.class)
  public ResponseEntity<ProblemDetail> handleUnexpected(Exception e) {
    log.error("unhandled error", e);
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.INTERNAL_SERVER_ERROR,
            "The request could not be completed; it has been logged.");
    problem.setType(ProblemTypes.INTERNAL);
    problem.setTitle("Internal error");
    return ResponseEntity.internalServerError().body(problem);
  }

  @Override
  protected ResponseEntity<Object> handleMethodArgumentNotValid(
      MethodArgumentNotValidException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    List<Map<String, String>> errors =
        e.getBindingResult().getFieldErrors().stream()
            .map(FieldError.class::cast)
            .map(
                f ->
                    Map.of("field", f.getField(), "message", String.valueOf(f.getDefaultMessage())))
            .sorted(Comparator.comparing((Map<String, String> m) -> m.get("field")))
            .toList();
    if (errors.isEmpty()) {
      errors = List.of(Map.of("field", "body", "message", "is invalid"));
    }
    return ResponseEntity.badRequest().body(validationProblem(errors));
  }

  @Override
  protected ResponseEntity<Object> handleHandlerMethodValidationException(
      HandlerMethodValidationException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    List<Map<String, String>> errors =
        e.getParameterValidationResults().stream()
            .flatMap(
                r ->
                    r.getResolvableErrors().stream()
                        .map(
                            err ->
                                Map.of(
                                    "field",
                                    String.valueOf(r.getMethodParameter().getParameterName()),
                                    "message",
                                    String.valueOf(err.getDefaultMessage()))))
            .toList();
    return ResponseEntity.badRequest().body(validationProblem(errors));
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    Throwable cause = e.getMostSpecificCause();
    if (cause instanceof PayloadTooLargeException tooLarge) {
      return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE)
          .body(payloadTooLarge(tooLarge.limitBytes()));
    }
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.BAD_REQUEST,
            "The request body is not valid JSON of the expected shape (malformed, wrong types or unknown fields).");
    problem.setType(ProblemTypes.MALFORMED_REQUEST);
    problem.setTitle("Malformed request");
    return ResponseEntity.badRequest().body(problem);
  }

  @Override
  protected ResponseEntity<Object> handleHttpMediaTypeNotSupported(
      HttpMediaTypeNotSupportedException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json.");
    problem.setType(ProblemTypes.UNSUPPORTED_MEDIA_TYPE);
    problem.setTitle("Unsupported media type");
    return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).body(problem);
  }

  @Override
  protected ResponseEntity<Object> handleHttpRequestMethodNotSupported(
      HttpRequestMethodNotSupportedException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.METHOD_NOT_ALLOWED, "This method is not allowed here.");
    problem.setType(ProblemTypes.METHOD_NOT_ALLOWED);
    problem.setTitle("Method not allowed");
    return ResponseEntity.status(HttpStatus.METHOD_NOT_ALLOWED).headers(headers).body(problem);
  }

  @Override
  protected ResponseEntity<Object> handleNoResourceFoundException(
      NoResourceFoundException e, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    return ResponseEntity.status(HttpStatus.NOT_FOUND)
        .body(ApiProblemException.notFound("No such resource.").toProblemDetail());
  }

  protected static ProblemDetail validationProblem(List<Map<String, String>> errors) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, "The request has invalid fields.");
    problem.setType(ProblemTypes.VALIDATION);
    problem.setTitle("Invalid request");
    problem.setProperty("errors", errors);
    return problem;
  }

  private static ProblemDetail payloadTooLarge(long limit) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(
            HttpStatus.PAYLOAD_TOO_LARGE, "The request body is larger than " + limit + " bytes.");
    problem.setType(ProblemTypes.PAYLOAD_TOO_LARGE);
    problem.setTitle("Payload too large");
    return problem;
  }

  private static String lastNode(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }
}
