package dev.spoq.common.web.autoconfigure;

import dev.spoq.common.problem.ProblemTypes;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;

/** Writes a minimal RFC 9457 body where no message converter is at hand (filters, valves). */
final class Problems {

  private Problems() {}

  static void write(HttpServletResponse response, int status, String detail) throws IOException {
    write(response, status, typeFor(status), titleFor(status), detail);
  }

  static void write(HttpServletResponse response, int status, URI type, String title, String detail)
      throws IOException {
    response.resetBuffer();
    response.setStatus(status);
    response.setContentType("application/problem+json");
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    if (status == 401) {
      response.setHeader("WWW-Authenticate", "Bearer");
    }
    byte[] body = json(status, type, title, detail).getBytes(StandardCharsets.UTF_8);
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
    response.flushBuffer();
  }

  /** The problem as JSON text; every value here is a constant of ours, never request input. */
  static String json(int status, URI type, String title, String detail) {
    return "{\"type\":\""
        + type
        + "\",\"title\":\""
        + escape(title)
        + "\",\"status\":"
        + status
        + ",\"detail\":\""
        + escape(detail)
        + "\"}";
  }

  static URI typeFor(int status) {
    return switch (status) {
      case 400 -> ProblemTypes.MALFORMED_REQUEST;
      case 401 -> ProblemTypes.UNAUTHORIZED;
      case 403 -> ProblemTypes.FORBIDDEN;
      case 404 -> ProblemTypes.NOT_FOUND;
      case 405 -> ProblemTypes.METHOD_NOT_ALLOWED;
      case 413 -> ProblemTypes.PAYLOAD_TOO_LARGE;
      case 415 -> ProblemTypes.UNSUPPORTED_MEDIA_TYPE;
      case 429 -> ProblemTypes.RATE_LIMITED;
      case 431 -> ProblemTypes.of("header-too-large");
      case 503 -> ProblemTypes.SERVICE_UNAVAILABLE;
      default -> status >= 500 ? ProblemTypes.INTERNAL : ProblemTypes.of("http-" + status);
    };
  }

  static String titleFor(int status) {
    HttpStatus known = HttpStatus.resolve(status);
    return known == null ? "Error" : known.getReasonPhrase();
  }

  static String detailFor(int status) {
    return switch (status) {
      case 400 -> "The request could not be understood (malformed request line, path or headers).";
      case 404 -> "No such resource.";
      case 405 -> "This method is not allowed here.";
      case 413 -> "The request is too large.";
      case 431 -> "The request headers are too large.";
      default ->
          status >= 500
              ? "The request could not be completed; it has been logged."
              : "The request was refused.";
    };
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(' ');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
