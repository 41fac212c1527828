package dev.spoq.registry.sshkey;

import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.DeviceCaller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** SSH public keys per account (web app), and the Jetson's authorized keys (agent). */
@RestController
class SshKeyController {

  record AddSshKeyRequest(@NotNull @Size(max = OpenSshPublicKey.MAX_LINE) String publicKey) {}

  record SshKeyResponse(
      UUID id,
      String type,
      String publicKey,
      String fingerprint,
      String comment,
      boolean revoked,
      Instant createdAt,
      Instant revokedAt) {}

  record AuthorizedKeysResponse(String username, List<SshKeyResponse> keys) {}

  private final SshKeyService keys;

  SshKeyController(SshKeyService keys) {
    this.keys = keys;
  }

  @GetMapping("/api/accounts/{username}/ssh-keys")
  List<SshKeyResponse> list(
      ApiKeyCaller caller,
      @PathVariable String username,
      @RequestParam(defaultValue = "false") boolean includeRevoked) {
    return keys.list(caller, username, includeRevoked).stream()
        .map(SshKeyController::response)
        .toList();
  }

  @PostMapping("/api/accounts/{username}/ssh-keys")
  ResponseEntity<SshKeyResponse> add(
      ApiKeyCaller caller,
      @PathVariable String username,
      @Valid @RequestBody AddSshKeyRequest request) {
    SshKeyService.SshKey key = keys.add(caller, username, request.publicKey());
    return ResponseEntity.created(URI.create("/api/accounts/" + username + "/ssh-keys/" + key.id()))
        .body(response(key));
  }

  @DeleteMapping("/api/accounts/{username}/ssh-keys/{keyId}")
  SshKeyResponse revoke(
      ApiKeyCaller caller, @PathVariable String username, @PathVariable UUID keyId) {
    return response(keys.revoke(caller, username, keyId));
  }

  /** The keys the Jetson's sshd accepts for its account user. */
  @GetMapping("/api/jetsons/self/ssh-keys")
  AuthorizedKeysResponse authorizedKeys(DeviceCaller caller) {
    return new AuthorizedKeysResponse(
        caller.username(),
        keys.active(caller.accountId()).stream().map(SshKeyController::response).toList());
  }

  static SshKeyResponse response(SshKeyService.SshKey k) {
    return new SshKeyResponse(
        k.id(),
        k.type(),
        k.publicKey(),
        k.fingerprint(),
        k.comment(),
        k.revokedAt() != null,
        k.createdAt(),
        k.revokedAt());
  }
}
