package dev.spoq.registry.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.account.Account;
import dev.spoq.registry.account.AccountRepository;
import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.config.RegistryProperties;
import dev.spoq.registry.jetson.Jetson;
import dev.spoq.registry.jetson.JetsonRepository;
import dev.spoq.registry.route.ContainerRouteService;
import dev.spoq.registry.security.Access;
import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.Credentials;
import dev.spoq.registry.security.DeviceCaller;
import dev.spoq.registry.security.ServiceCaller;
import dev.spoq.registry.security.ServiceScope;
import dev.spoq.registry.security.ServiceScopes;
import dev.spoq.registry.sshkey.SshKeyService;
import dev.spoq.registry.status.StatusService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** The service-to-service API of {@code docs/internal-api.md} (service credentials only). */
@RestController
@RequestMapping("/internal/v1")
class InternalController {

  record DeviceTokenIntrospectRequest(@NotNull @Size(max = 200) String token) {}

  record ApiKeyIntrospectRequest(@NotNull @Size(max = 200) String key) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record DeviceTokenIntrospection(
      boolean active,
      UUID jetsonId,
      UUID accountId,
      String username,
      String subdomain,
      String fqdn) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ApiKeyIntrospection(boolean active, String scope, UUID accountId, String username) {}

  record SshKeysResponse(String username, List<SshKeyEntry> keys) {}

  record SshKeyEntry(UUID id, String publicKey, String fingerprint) {}

  record ContainerRouteResponse(String username, String host, int port, String hostKey) {}

  record JetsonSummary(
      UUID jetsonId,
      UUID accountId,
      String username,
      String subdomain,
      String fqdn,
      String publicKey,
      boolean revoked) {}

  record JetsonStatus(Instant receivedAt, JsonNode report) {}

  record AuditEventRequest(
      @NotBlank @Size(max = 200) @Pattern(regexp = "^[A-Za-z0-9@._:/+-]+$") String actor,
      @NotBlank @Pattern(regexp = "^[a-z0-9._-]{1,100}$") String action,
      @Size(max = 300) String target,
      @Size(max = 64) @Pattern(regexp = "^[0-9A-Fa-f.:]*$") String sourceIp,
      @NotNull @Pattern(regexp = "^(SUCCESS|FAILURE|DENIED)$") String outcome,
      @Size(max = 32) Map<@Size(max = 64) String, Object> details) {}

  record AuditEventCreated(long id) {}

  private final Credentials credentials;
  private final AccountRepository accounts;
  private final JetsonRepository jetsons;
  private final SshKeyService sshKeys;
  private final ContainerRouteService routes;
  private final StatusService status;
  private final AuditLog auditLog;
  private final RegistryProperties properties;
  private final ServiceScopes scopes;
  private final Access access;

  InternalController(
      Credentials credentials,
      AccountRepository accounts,
      JetsonRepository jetsons,
      SshKeyService sshKeys,
      ContainerRouteService routes,
      StatusService status,
      AuditLog auditLog,
      RegistryProperties properties,
      ServiceScopes scopes,
      Access access) {
    this.credentials = credentials;
    this.accounts = accounts;
    this.jetsons = jetsons;
    this.sshKeys = sshKeys;
    this.routes = routes;
    this.status = status;
    this.auditLog = auditLog;
    this.properties = properties;
    this.scopes = scopes;
    this.access = access;
  }

  @PostMapping("/device-tokens/introspect")
  DeviceTokenIntrospection introspectDeviceToken(
      ServiceCaller caller, @Valid @RequestBody DeviceTokenIntrospectRequest request) {
    scopes.require(caller, ServiceScope.INTROSPECT_DEVICE_TOKEN);
    Optional<DeviceCaller> device = credentials.deviceToken(request.token(), caller.sourceIp());
    return device
        .map(
            d ->
                new DeviceTokenIntrospection(
                    true,
                    d.jetsonId(),
                    d.accountId(),
                    d.username(),
                    d.subdomain(),
                    properties.fqdn(d.subdomain())))
        .orElse(new DeviceTokenIntrospection(false, null, null, null, null, null));
  }

  @PostMapping("/api-keys/introspect")
  ApiKeyIntrospection introspectApiKey(
      ServiceCaller caller, @Valid @RequestBody ApiKeyIntrospectRequest request) {
    scopes.require(caller, ServiceScope.INTROSPECT_API_KEY);
    Optional<ApiKeyCaller> key = credentials.apiKey(request.key(), caller.sourceIp());
    return key.map(
            k -> new ApiKeyIntrospection(true, k.scope().name(), k.accountId(), k.username()))
        .orElse(new ApiKeyIntrospection(false, null, null, null));
  }

  @GetMapping("/accounts/{username}/ssh-keys")
  SshKeysResponse sshKeys(ServiceCaller caller, @PathVariable String username) {
    scopes.require(caller, ServiceScope.READ_SSH_KEYS);
    Account account = account(username);
    return new SshKeysResponse(
        account.username(),
        sshKeys.active(account.id()).stream()
            .map(k -> new SshKeyEntry(k.id(), k.publicKey(), k.fingerprint()))
            .toList());
  }

  @GetMapping("/accounts/{username}/container-route")
  ContainerRouteResponse containerRoute(ServiceCaller caller, @PathVariable String username) {
    scopes.require(caller, ServiceScope.READ_CONTAINER_ROUTE);
    Account account = account(username);
    return routes
        .find(account)
        .map(r -> new ContainerRouteResponse(r.username(), r.host(), r.port(), r.hostKey()))
        .orElseThrow(
            () ->
                ApiProblemException.notFound("Account '" + username + "' has no container route."));
  }

  @GetMapping("/jetsons/{jetsonId}")
  JetsonSummary jetson(ServiceCaller caller, @PathVariable UUID jetsonId) {
    scopes.require(caller, ServiceScope.READ_JETSON);
    return summary(jetsons.findById(jetsonId));
  }

  @GetMapping("/jetsons/by-subdomain/{subdomain}")
  JetsonSummary jetsonBySubdomain(ServiceCaller caller, @PathVariable String subdomain) {
    scopes.require(caller, ServiceScope.READ_JETSON);
    return summary(jetsons.findBySubdomain(subdomain));
  }

  @GetMapping("/jetsons/{jetsonId}/status")
  JetsonStatus jetsonStatus(ServiceCaller caller, @PathVariable UUID jetsonId) {
    scopes.require(caller, ServiceScope.READ_JETSON_STATUS);
    return status
        .last(jetsonId)
        .map(s -> new JetsonStatus(s.receivedAt(), s.report()))
        .orElseThrow(() -> ApiProblemException.notFound("This Jetson has not reported yet."));
  }

  @PostMapping("/audit-events")
  ResponseEntity<AuditEventCreated> audit(
      ServiceCaller caller, @Valid @RequestBody AuditEventRequest request) {
    scopes.require(caller, ServiceScope.WRITE_AUDIT);
    // A service records only its own kind of events, and never in another service's name.
    if (!scopes.mayRecord(caller.service(), request.action(), request.actor())) {
      access.deny(caller, "audit.record", "action:" + request.action());
      throw ApiProblemException.forbidden(
          "This service may not record this audit action or actor.");
    }
    UUID accountId = null;
    if (request.actor().startsWith("user:")) {
      accountId =
          accounts.findByUsername(request.actor().substring(5)).map(Account::id).orElse(null);
    }
    long id =
        auditLog.record(
            new AuditLog.Event(
                request.actor(),
                request.action(),
                request.target(),
                request.sourceIp(),
                AuditLog.Outcome.valueOf(request.outcome()),
                accountId,
                caller.service(),
                request.details() == null ? Map.of() : request.details()));
    return ResponseEntity.status(HttpStatus.CREATED).body(new AuditEventCreated(id));
  }

  private Account account(String username) {
    return accounts
        .findByUsername(username)
        .orElseThrow(() -> ApiProblemException.notFound("No account named '" + username + "'."));
  }

  private JetsonSummary summary(Optional<Jetson> jetson) {
    Jetson j = jetson.orElseThrow(() -> ApiProblemException.notFound("No such Jetson."));
    return new JetsonSummary(
        j.id(),
        j.accountId(),
        j.username(),
        j.subdomain(),
        properties.fqdn(j.subdomain()),
        j.publicKey(),
        j.revoked());
  }
}
