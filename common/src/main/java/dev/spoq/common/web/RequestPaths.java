package dev.spoq.common.web;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.springframework.web.util.UriUtils;

/**
 * The path a request is routed by, for authorisation decisions. Ambiguous raw paths are refused
 * outright (see {@link #ambiguity}), so what remains decodes to exactly one path, the one Spring
 * MVC routes: {@code /%61ctuator/prometheus} is {@code /actuator/prometheus} here too.
 */
public final class RequestPaths {

  private RequestPaths() {}

  /**
   * Why the raw path is ambiguous, or empty when it is not: a matrix parameter or path parameter
   * ({@code ;}), an encoded dot, slash, backslash, percent or NUL, a backslash, an empty segment
   * ({@code //}), a dot segment, or a malformed escape.
   */
  public static Optional<String> ambiguity(HttpServletRequest request) {
    String raw = rawPath(request);
    if (raw.indexOf(';') >= 0) {
      return Optional.of("';' in the path");
    }
    if (raw.indexOf('\\') >= 0) {
      return Optional.of("a backslash in the path");
    }
    if (raw.contains("//")) {
      return Optional.of("an empty path segment");
    }
    String lower = raw.toLowerCase(Locale.ROOT);
    for (String encoded : new String[] {"%2e", "%2f", "%5c", "%25", "%00", "%3b"}) {
      if (lower.contains(encoded)) {
        return Optional.of("an encoded '.', '/', '\\', '%', ';' or NUL in the path");
      }
    }
    for (String segment : raw.split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        return Optional.of("a dot segment in the path");
      }
    }
    try {
      String decoded = UriUtils.decode(raw, StandardCharsets.UTF_8);
      if (decoded.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        return Optional.of("a control character in the path");
      }
    } catch (IllegalArgumentException e) {
      return Optional.of("a malformed escape in the path");
    }
    return Optional.empty();
  }

  /** The decoded path within the application; call only when {@link #ambiguity} is empty. */
  public static String normalized(HttpServletRequest request) {
    return UriUtils.decode(rawPath(request), StandardCharsets.UTF_8);
  }

  /** Whether {@code path} is {@code prefix} itself or below it. */
  public static boolean isUnder(String path, String prefix) {
    return path.equals(prefix) || path.startsWith(prefix + "/");
  }

  private static String rawPath(HttpServletRequest request) {
    String uri = request.getRequestURI();
    String context = request.getContextPath();
    return context != null && !context.isEmpty() && uri.startsWith(context)
        ? uri.substring(context.length())
        : uri;
  }
}
