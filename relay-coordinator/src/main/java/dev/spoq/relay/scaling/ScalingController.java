package dev.spoq.relay.scaling;

import dev.spoq.relay.auth.CallerResolver;
import dev.spoq.relay.usage.UsageMetrics;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/relay/scaling} (admin): utilisation per region and whether to add a relay. */
@RestController
class ScalingController {

  private final CallerResolver callers;
  private final ScalingService scaling;
  private final UsageMetrics metrics;

  ScalingController(CallerResolver callers, ScalingService scaling, UsageMetrics metrics) {
    this.callers = callers;
    this.scaling = scaling;
    this.metrics = metrics;
  }

  record ScalingAnswer(List<ScalingService.Region> regions) {}

  @GetMapping("/api/relay/scaling")
  ScalingAnswer scaling(
      @RequestHeader(value = "Authorization", required = false) String authorization) {
    callers.requireAdmin(authorization);
    metrics.refresh();
    return new ScalingAnswer(scaling.regions());
  }
}
