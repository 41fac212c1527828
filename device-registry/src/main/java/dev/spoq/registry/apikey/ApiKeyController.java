package dev.spoq.registry.apikey;

import dev.spoq.registry.account.Names;
import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.ApiKeyScope;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Web-app API keys: an admin issues them; the secret is shown once. */
@RestController
@RequestMapping("/api/api-keys")
class ApiKeyController {

  record CreateApiKeyRequest(
      @NotNull ApiKeyScope scope,
      @Pattern(regexp = Names.USERNAME_REGEX, message = Names.USERNAME_MESSAGE) String username,
      @NotNull
          @Pattern(
              regexp = "^[A-Za-z0-9 ._-]{1,64}$",
              message = "must be 1-64 of letters, digits, space, '.', '_' and '-'")
          String name) {}

  record ApiKeyResponse(
      UUID id,
      ApiKeyScope scope,
      UUID accountId,
      String username,
      String name,
      Instant createdAt,
      Instant revokedAt) {}

  /** The only answer that ever contains the key itself. */
  record IssuedApiKeyResponse(
      UUID id, String key, ApiKeyScope scope, UUID accountId, String username, String name) {}

  private final ApiKeyService keys;

  ApiKeyController(ApiKeyService keys) {
    this.keys = keys;
  }

  @PostMapping
  ResponseEntity<IssuedApiKeyResponse> create(
      ApiKeyCaller caller, @Valid @RequestBody CreateApiKeyRequest request) {
    ApiKeyService.IssuedKey issued =
        keys.create(caller, request.scope(), request.username(), request.name());
    ApiKeyService.ApiKey k = issued.key();
    return ResponseEntity.status(HttpStatus.CREATED)
        .cacheControl(CacheControl.noStore())
        .body(
            new IssuedApiKeyResponse(
                k.id(), issued.secret(), k.scope(), k.accountId(), k.username(), k.name()));
  }

  @GetMapping
  List<ApiKeyResponse> list(ApiKeyCaller caller) {
    return keys.list(caller).stream()
        .map(
            k ->
                new ApiKeyResponse(
                    k.id(),
                    k.scope(),
                    k.accountId(),
                    k.username(),
                    k.name(),
                    k.createdAt(),
                    k.revokedAt()))
        .toList();
  }

  @DeleteMapping("/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void revoke(ApiKeyCaller caller, @PathVariable UUID id) {
    keys.revoke(caller, id);
  }
}
