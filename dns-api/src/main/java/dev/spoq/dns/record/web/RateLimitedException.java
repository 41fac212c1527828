package dev.spoq.dns.record.web;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import java.time.Duration;
import org.springframework.http.HttpStatus;

/** Too many requests: answered 429 with {@code Retry-After}. */
public class RateLimitedException extends ApiProblemException {

  private final long retryAfterSeconds;

  RateLimitedException(String detail, Duration retryAfter) {
    super(HttpStatus.TOO_MANY_REQUESTS, ProblemTypes.RATE_LIMITED, "Too many requests", detail);
    this.retryAfterSeconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
