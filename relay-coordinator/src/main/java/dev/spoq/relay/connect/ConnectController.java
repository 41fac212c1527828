package dev.spoq.relay.connect;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.relay.auth.Caller;
import dev.spoq.relay.auth.CallerResolver;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/connect/{subdomain}}: the endpoints a client should try now. Allowed for an admin
 * API key, the owning account's API key, or the Jetson's own device token.
 */
@RestController
class ConnectController {

  private final CallerResolver callers;
  private final RegistryClient registry;
  private final ConnectionDecisionService decisions;

  ConnectController(
      CallerResolver callers, RegistryClient registry, ConnectionDecisionService decisions) {
    this.callers = callers;
    this.registry = registry;
    this.decisions = decisions;
  }

  @GetMapping("/api/connect/{subdomain}")
  ResponseEntity<ConnectionDecisionService.Decision> connect(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String subdomain) {
    Caller caller = callers.require(authorization);
    if (!subdomain.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
      throw ApiProblemException.notFound("No Jetson with that subdomain.");
    }
    JetsonSummary jetson =
        registry
            .jetsonBySubdomain(subdomain)
            .orElseThrow(() -> ApiProblemException.notFound("No Jetson with that subdomain."));
    if (!CallerResolver.mayAccess(caller, jetson.jetsonId(), jetson.username())) {
      // The same answer as for a missing subdomain: no existence oracle (audited as a denial).
      throw callers.denied(
          caller,
          "subdomain:" + subdomain,
          ApiProblemException.notFound("No Jetson with that subdomain."));
    }
    if (jetson.revoked()) {
      throw new ApiProblemException(
          HttpStatus.GONE,
          ProblemTypes.of("jetson-revoked"),
          "Jetson revoked",
          "This Jetson has been revoked; it cannot be reached.");
    }
    var decision = decisions.decide(jetson, registry.jetsonStatus(jetson.jetsonId()));
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(decision);
  }
}
