package dev.spoq.registry.enrollment;

import dev.spoq.common.ipplan.WireGuardAddressPlan;
import dev.spoq.registry.account.Names;
import dev.spoq.registry.config.RegistryProperties;
import dev.spoq.registry.jetson.AgentSettings;
import dev.spoq.registry.jetson.Jetson;
import dev.spoq.registry.security.ApiKeyCaller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Jetson enrollment: the web app gets a one-time code, the agent trades it for a device token. */
@RestController
class EnrollmentController {

  static final String HOSTNAME_REGEX =
      "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";

  record EnrollmentCodeResponse(String code, UUID accountId, String username, Instant expiresAt) {}

  record EnrollRequest(
      @NotNull @Size(max = 100) String code,
      @NotNull @Size(max = 100) String publicKey,
      @NotNull
          @Size(max = 253)
          @Pattern(
              regexp = HOSTNAME_REGEX,
              message = "must be a host name (letters, digits, '-', '.')")
          String hostname) {}

  /** The enrollment answer; the only time the device token is ever shown. */
  record EnrollResponse(
      String deviceToken,
      UUID jetsonId,
      UUID accountId,
      String username,
      String subdomain,
      String fqdn,
      String hostname,
      String publicKey,
      String address,
      String network,
      int listenPort,
      String dns,
      List<String> sshUsers,
      long peerVersion) {}

  private final EnrollmentService enrollment;
  private final RegistryProperties properties;

  EnrollmentController(EnrollmentService enrollment, RegistryProperties properties) {
    this.enrollment = enrollment;
    this.properties = properties;
  }

  @PostMapping("/api/accounts/{username}/enrollment-codes")
  ResponseEntity<EnrollmentCodeResponse> newCode(
      ApiKeyCaller caller, @PathVariable @Pattern(regexp = Names.USERNAME_REGEX) String username) {
    EnrollmentService.IssuedCode code = enrollment.newCode(caller, username);
    return ResponseEntity.status(HttpStatus.CREATED)
        .cacheControl(CacheControl.noStore())
        .body(
            new EnrollmentCodeResponse(
                code.code(), code.accountId(), code.username(), code.expiresAt()));
  }

  @PostMapping("/api/jetsons/enroll")
  ResponseEntity<EnrollResponse> enroll(
      @Valid @RequestBody EnrollRequest request, HttpServletRequest http) {
    EnrollmentService.Enrollment done =
        enrollment.enroll(
            request.code(), request.publicKey(), request.hostname(), http.getRemoteAddr());
    Jetson j = done.jetson();
    AgentSettings s = AgentSettings.of(j, properties.domain());
    return ResponseEntity.created(URI.create("/api/jetsons/" + j.id()))
        .cacheControl(CacheControl.noStore())
        .body(
            new EnrollResponse(
                done.deviceToken(),
                s.jetsonId(),
                s.accountId(),
                s.username(),
                s.subdomain(),
                s.fqdn(),
                s.hostname(),
                s.publicKey(),
                WireGuardAddressPlan.JETSON_INTERFACE_ADDRESS,
                s.network(),
                s.listenPort(),
                s.dns(),
                s.sshUsers(),
                s.peerVersion()));
  }
}
