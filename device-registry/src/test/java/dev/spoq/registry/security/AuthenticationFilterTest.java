package dev.spoq.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.security.AuthenticationFilter.Requirement;
import org.junit.jupiter.api.Test;

class AuthenticationFilterTest {

  @Test
  void onlyHealthAndEnrollmentNeedNoBearer() {
    assertThat(AuthenticationFilter.requirementFor("GET", "/actuator/health"))
        .isEqualTo(Requirement.NONE);
    assertThat(AuthenticationFilter.requirementFor("GET", "/actuator/health/liveness"))
        .isEqualTo(Requirement.NONE);
    assertThat(AuthenticationFilter.requirementFor("POST", "/api/jetsons/enroll"))
        .isEqualTo(Requirement.NONE);
    assertThat(AuthenticationFilter.requirementFor("GET", "/api/jetsons/enroll"))
        .isEqualTo(Requirement.API_KEY);
    assertThat(AuthenticationFilter.requirementFor("GET", "/actuator/healthz"))
        .isEqualTo(Requirement.SERVICE_OR_ADMIN);
    assertThat(AuthenticationFilter.requirementFor("GET", "/actuator/prometheus"))
        .isEqualTo(Requirement.SERVICE_OR_ADMIN);
    assertThat(AuthenticationFilter.requirementFor("POST", "/internal/v1/audit-events"))
        .isEqualTo(Requirement.SERVICE);
    assertThat(AuthenticationFilter.requirementFor("GET", "/api/jetsons/self/peers"))
        .isEqualTo(Requirement.DEVICE);
    assertThat(AuthenticationFilter.requirementFor("GET", "/api/jetsons/selfish"))
        .isEqualTo(Requirement.API_KEY);
    assertThat(AuthenticationFilter.requirementFor("GET", "/anything"))
        .isEqualTo(Requirement.API_KEY);
  }
}
