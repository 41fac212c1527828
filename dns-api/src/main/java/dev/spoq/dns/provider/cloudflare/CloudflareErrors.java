package dev.spoq.dns.provider.cloudflare;

import dev.spoq.dns.provider.cloudflare.CloudflareApiException.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Turns Cloudflare's answers into clear, credential-free messages. */
final class CloudflareErrors {

  static final int AUTHENTICATION_ERROR = 10000;
  static final int INVALID_TTL = 9021;
  static final int RECORD_NOT_FOUND = 81044;

  /** The older "Record already exists." */
  static final int RECORD_ALREADY_EXISTS = 81057;

  /** "An identical record already exists." (same type, name and content). */
  static final int IDENTICAL_RECORD_EXISTS = 81058;

  private static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(60);

  private CloudflareErrors() {}

  static CloudflareApiException fromAnswer(
      String operation, int status, List<ApiError> errors, String retryAfterHeader, Instant now) {
    if (status == 429) {
      Duration wait = parseRetryAfter(retryAfterHeader, now);
      return new CloudflareApiException(
          "Cloudflare rate limit reached during "
              + operation
              + " (HTTP 429); next try in "
              + wait.toSeconds()
              + " s",
          true,
          wait,
          status,
          errors);
    }
    if (status >= 500) {
      return new CloudflareApiException(
          "Cloudflare API unavailable during " + operation + " (HTTP " + status + ")",
          true,
          null,
          status,
          errors);
    }
    String explained = explain(errors);
    if (hasCode(errors, AUTHENTICATION_ERROR) || status == 401 || status == 403) {
      return new CloudflareApiException(
          "Cloudflare rejected the API token during "
              + operation
              + " (HTTP "
              + status
              + explained
              + "): check spoq.dns.cloudflare.api-token and that it may edit DNS of the zone",
          false,
          null,
          status,
          errors);
    }
    return new CloudflareApiException(
        "Cloudflare refused " + operation + " (HTTP " + status + explained + ")",
        false,
        null,
        status,
        errors);
  }

  static CloudflareApiException unreachable(String operation, Exception e) {
    return new CloudflareApiException(
        "Cloudflare API unreachable during "
            + operation
            + " ("
            + e.getClass().getSimpleName()
            + ")",
        true,
        null,
        0,
        List.of());
  }

  static CloudflareApiException garbled(String operation, int status) {
    return new CloudflareApiException(
        "Cloudflare answered "
            + operation
            + " with a body that is not the v4 envelope (HTTP "
            + status
            + ")",
        status >= 500 || status == 0,
        null,
        status,
        List.of());
  }

  /** {@code retry-after}: delay seconds or an HTTP date; absent or odd values mean 60 s. */
  static Duration parseRetryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return DEFAULT_RETRY_AFTER;
    }
    String value = header.trim();
    Duration wait;
    try {
      wait = Duration.ofSeconds(Long.parseLong(value));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        wait = Duration.between(now, at);
      } catch (DateTimeParseException notDate) {
        return DEFAULT_RETRY_AFTER;
      }
    }
    if (wait.isNegative() || wait.isZero()) {
      return Duration.ofSeconds(1);
    }
    return wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
  }

  private static boolean hasCode(List<ApiError> errors, int code) {
    return errors.stream().anyMatch(e -> e.code() == code);
  }

  private static String explain(List<ApiError> errors) {
    StringBuilder text = new StringBuilder();
    for (ApiError e : errors) {
      text.append(", code ").append(e.code()).append(' ').append(meaning(e));
    }
    return text.toString();
  }

  private static String meaning(ApiError e) {
    return switch (e.code()) {
      case AUTHENTICATION_ERROR -> "authentication error";
      case INVALID_TTL -> "invalid TTL (the zone's plan does not allow this TTL)";
      case RECORD_NOT_FOUND -> "record does not exist";
      case RECORD_ALREADY_EXISTS -> "record already exists";
      case IDENTICAL_RECORD_EXISTS -> "an identical record already exists";
      default -> quote(e.message());
    };
  }

  private static String quote(String message) {
    if (message == null) {
      return "(no message)";
    }
    String clean = message.replaceAll("[\\p{Cntrl}]", " ");
    return "\"" + (clean.length() > 200 ? clean.substring(0, 200) + "..." : clean) + "\"";
  }
}
