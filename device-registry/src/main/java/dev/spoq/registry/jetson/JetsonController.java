package dev.spoq.registry.jetson;

import dev.spoq.registry.config.RegistryProperties;
import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.DeviceCaller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Jetsons: the web app's view (API key) and the agent's own (device token, {@code /self}). */
@RestController
class JetsonController {

  record JetsonResponse(
      UUID id,
      UUID accountId,
      String username,
      String subdomain,
      String fqdn,
      String hostname,
      String publicKey,
      long peerVersion,
      boolean revoked,
      Instant createdAt,
      Instant revokedAt) {}

  record DeviceTokenResponse(UUID jetsonId, String deviceToken) {}

  record RevokedTokensResponse(UUID jetsonId, int revoked) {}

  record ReplaceKeyRequest(@NotNull @Size(max = 100) String publicKey) {}

  private final JetsonService jetsons;
  private final RegistryProperties properties;

  JetsonController(JetsonService jetsons, RegistryProperties properties) {
    this.jetsons = jetsons;
    this.properties = properties;
  }

  @GetMapping("/api/accounts/{username}/jetsons")
  List<JetsonResponse> ofAccount(ApiKeyCaller caller, @PathVariable String username) {
    return jetsons.ofAccount(caller, username).stream().map(this::response).toList();
  }

  @GetMapping("/api/jetsons/{jetsonId}")
  JetsonResponse get(ApiKeyCaller caller, @PathVariable UUID jetsonId) {
    return response(jetsons.visible(caller, jetsonId, "jetson.read"));
  }

  @PostMapping("/api/jetsons/{jetsonId}/revoke")
  JetsonResponse revoke(ApiKeyCaller caller, @PathVariable UUID jetsonId) {
    return response(jetsons.revoke(caller, jetsonId));
  }

  @PostMapping("/api/jetsons/{jetsonId}/device-token/rotate")
  ResponseEntity<DeviceTokenResponse> rotateToken(
      ApiKeyCaller caller, @PathVariable UUID jetsonId) {
    return noStore(new DeviceTokenResponse(jetsonId, jetsons.rotateDeviceToken(caller, jetsonId)));
  }

  @PostMapping("/api/jetsons/{jetsonId}/device-token/revoke")
  RevokedTokensResponse revokeTokens(ApiKeyCaller caller, @PathVariable UUID jetsonId) {
    return new RevokedTokensResponse(jetsonId, jetsons.revokeDeviceTokens(caller, jetsonId));
  }

  @GetMapping("/api/jetsons/self")
  AgentSettings self(DeviceCaller caller) {
    return AgentSettings.of(
        jetsons.visible(caller, caller.jetsonId(), "jetson.read"), properties.domain());
  }

  @PutMapping("/api/jetsons/self/public-key")
  AgentSettings replaceOwnKey(DeviceCaller caller, @Valid @RequestBody ReplaceKeyRequest request) {
    return AgentSettings.of(jetsons.replaceKey(caller, request.publicKey()), properties.domain());
  }

  @PostMapping("/api/jetsons/self/device-token/rotate")
  ResponseEntity<DeviceTokenResponse> rotateOwnToken(DeviceCaller caller) {
    return noStore(
        new DeviceTokenResponse(
            caller.jetsonId(), jetsons.rotateDeviceToken(caller, caller.jetsonId())));
  }

  /** Answers carrying a secret must not be cached anywhere. */
  private static <T> ResponseEntity<T> noStore(T body) {
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(body);
  }

  private JetsonResponse response(Jetson j) {
    return new JetsonResponse(
        j.id(),
        j.accountId(),
        j.username(),
        j.subdomain(),
        properties.fqdn(j.subdomain()),
        j.hostname(),
        j.publicKey(),
        j.peerVersion(),
        j.revoked(),
        j.createdAt(),
        j.revokedAt());
  }
}
