package dev.spoq.relay.usage;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.relay.auth.Caller;
import dev.spoq.relay.auth.CallerResolver;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Relay usage (bytes through frps): per Jetson (admin, the owning account's API key, or the
 * Jetson's own device token), per relay and per region (admin).
 */
@RestController
@RequestMapping("/api/usage")
class UsageController {

  private final CallerResolver callers;
  private final UsageQueries queries;
  private final RegistryClient registry;

  UsageController(CallerResolver callers, UsageQueries queries, RegistryClient registry) {
    this.callers = callers;
    this.queries = queries;
    this.registry = registry;
  }

  record JetsonUsage(
      UUID jetsonId, long bytesIn, long bytesOut, List<UsageQueries.PerRelay> relays) {}

  record Totals(List<UsageQueries.Total> items) {}

  @GetMapping("/jetsons/{jetsonId}")
  JetsonUsage jetson(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable UUID jetsonId) {
    Caller caller = callers.require(authorization);
    // Another tenant's Jetson answers exactly like a missing one (no existence oracle).
    if (caller instanceof Caller.Device device && !device.jetsonId().equals(jetsonId)) {
      throw callers.denied(
          caller, "jetson:" + jetsonId, ApiProblemException.notFound("No Jetson with that id."));
    }
    if (caller instanceof Caller.Account account) {
      JetsonSummary summary =
          registry
              .jetson(jetsonId)
              .orElseThrow(() -> ApiProblemException.notFound("No Jetson with that id."));
      if (!account.username().equals(summary.username())) {
        throw callers.denied(
            caller, "jetson:" + jetsonId, ApiProblemException.notFound("No Jetson with that id."));
      }
    }
    List<UsageQueries.PerRelay> rows = queries.jetson(jetsonId);
    long in = rows.stream().mapToLong(UsageQueries.PerRelay::bytesIn).sum();
    long out = rows.stream().mapToLong(UsageQueries.PerRelay::bytesOut).sum();
    return new JetsonUsage(jetsonId, in, out, rows);
  }

  @GetMapping("/relays")
  Totals relays(@RequestHeader(value = "Authorization", required = false) String authorization) {
    callers.requireAdmin(authorization);
    return new Totals(queries.perRelay());
  }

  @GetMapping("/regions")
  Totals regions(@RequestHeader(value = "Authorization", required = false) String authorization) {
    callers.requireAdmin(authorization);
    return new Totals(queries.perRegion());
  }
}
