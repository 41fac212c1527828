package dev.spoq.registry.status;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.jetson.JetsonService;
import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.DeviceCaller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Agent status: the agent PUTs its report, the web app reads the last one and its age. */
@RestController
class StatusController {

  record StatusAccepted(UUID jetsonId, Instant receivedAt) {}

  record StatusResponse(UUID jetsonId, Instant receivedAt, long ageSeconds, JsonNode report) {}

  private final StatusService status;
  private final JetsonService jetsons;

  StatusController(StatusService status, JetsonService jetsons) {
    this.status = status;
    this.jetsons = jetsons;
  }

  @PutMapping("/api/jetsons/self/status")
  StatusAccepted report(DeviceCaller caller, @NotNull @Valid @RequestBody StatusReport report) {
    return new StatusAccepted(caller.jetsonId(), status.store(caller, report));
  }

  @GetMapping("/api/jetsons/{jetsonId}/status")
  StatusResponse read(ApiKeyCaller caller, @PathVariable UUID jetsonId) {
    jetsons.visible(caller, jetsonId, "status.read");
    StatusService.StoredReport stored =
        status
            .last(jetsonId)
            .orElseThrow(
                () -> ApiProblemException.notFound("This Jetson has not reported its status yet."));
    long age = Math.max(0, Duration.between(stored.receivedAt(), Instant.now()).toSeconds());
    return new StatusResponse(jetsonId, stored.receivedAt(), age, stored.report());
  }
}
