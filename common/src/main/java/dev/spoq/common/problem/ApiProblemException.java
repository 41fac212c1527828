package dev.spoq.common.problem;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A failure a service reports to its caller as an RFC 9457 problem. The detail must be safe to
 * show: never a stack trace, SQL, or a secret.
 */
public class ApiProblemException extends RuntimeException {

  private final HttpStatus status;
  private final URI type;
  private final String title;
  private final Map<String, Object> properties;
  private final Map<String, String> headers = new LinkedHashMap<>();

  public ApiProblemException(HttpStatus status, URI type, String title, String detail) {
    this(status, type, title, detail, Map.of());
  }

  public ApiProblemException(
      HttpStatus status, URI type, String title, String detail, Map<String, Object> properties) {
    super(detail);
    this.status = status;
    this.type = type;
    this.title = title;
    this.properties = Map.copyOf(properties);
  }

  public static ApiProblemException notFound(String detail) {
    return new ApiProblemException(
        HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not found", detail);
  }

  public static ApiProblemException conflict(String detail) {
    return new ApiProblemException(HttpStatus.CONFLICT, ProblemTypes.CONFLICT, "Conflict", detail);
  }

  public static ApiProblemException invalid(String detail) {
    return new ApiProblemException(
        HttpStatus.BAD_REQUEST, ProblemTypes.VALIDATION, "Invalid request", detail);
  }

  public static ApiProblemException unauthorized(String detail) {
    return new ApiProblemException(
        HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED, "Unauthorized", detail);
  }

  public static ApiProblemException forbidden(String detail) {
    return new ApiProblemException(
        HttpStatus.FORBIDDEN, ProblemTypes.FORBIDDEN, "Forbidden", detail);
  }

  public HttpStatus status() {
    return status;
  }

  /** Adds a response header (e.g. {@code Retry-After}); returns this exception. */
  public ApiProblemException withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** Response headers to send with the problem. */
  public Map<String, String> headers() {
    return Map.copyOf(headers);
  }

  public ProblemDetail toProblemDetail() {
    ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
    problem.setType(type);
    problem.setTitle(title);
    properties.forEach(problem::setProperty);
    return problem;
  }
}
