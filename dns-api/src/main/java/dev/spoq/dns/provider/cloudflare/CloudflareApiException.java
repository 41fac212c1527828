package dev.spoq.dns.provider.cloudflare;

import dev.spoq.dns.provider.ProviderException;
import java.time.Duration;
import java.util.List;

/** Cloudflare answered with an error (or could not be reached); the message is safe to log. */
public class CloudflareApiException extends ProviderException {

  /** One entry of the envelope's {@code errors} array. */
  public record ApiError(int code, String message) {}

  private final int httpStatus;
  private final List<ApiError> errors;

  CloudflareApiException(
      String message,
      boolean transientFailure,
      Duration retryAfter,
      int httpStatus,
      List<ApiError> errors) {
    super(message, transientFailure, retryAfter);
    this.httpStatus = httpStatus;
    this.errors = List.copyOf(errors);
  }

  /** The HTTP status, or 0 when no answer came. */
  public int httpStatus() {
    return httpStatus;
  }

  public List<ApiError> errors() {
    return errors;
  }

  public boolean hasCode(int code) {
    return errors.stream().anyMatch(e -> e.code() == code);
  }
}
