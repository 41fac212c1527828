package dev.spoq.common.auth;

import java.util.Optional;

/** Reads an RFC 6750 bearer credential from an {@code Authorization} header value. */
public final class BearerToken {

  public static final String HEADER = "Authorization";
  private static final String SCHEME = "Bearer ";
  private static final int MAX_LENGTH = 512;

  private BearerToken() {}

  public static Optional<String> parse(String headerValue) {
    if (headerValue == null
        || headerValue.length() > MAX_LENGTH
        || !headerValue.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Optional.empty();
    }
    String token = headerValue.substring(SCHEME.length()).trim();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  public static String headerValue(String token) {
    return SCHEME + token;
  }
}
