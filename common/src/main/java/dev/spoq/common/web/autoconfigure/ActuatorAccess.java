package dev.spoq.common.web.autoconfigure;

/**
 * Who may read {@code /actuator/**} besides the health probes. The default (see {@link
 * SpoqWebAutoConfiguration}) asks the registry whether the bearer is an ADMIN API key; the registry
 * itself declares a bean that checks locally.
 */
@FunctionalInterface
public interface ActuatorAccess {

  enum Verdict {
    ALLOWED,
    /** a credential, but not one that may read management endpoints (403) */
    FORBIDDEN,
    /** no valid credential (401) */
    UNAUTHENTICATED
  }

  /** Decides for the bearer token of a management request ({@code null} when none was sent). */
  Verdict check(String bearerToken);
}
