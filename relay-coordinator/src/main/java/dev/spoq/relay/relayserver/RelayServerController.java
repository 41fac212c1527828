package dev.spoq.relay.relayserver;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.relay.fleet.Relay;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The API relay-servers (kind spoq) call with their relay token (contract C2): the Jetson set, with
 * ETag and long-poll, and the report of sessions and usage. {@link RelayServerAuth} has already
 * authenticated the caller as the relay in the path.
 */
@RestController
@RequestMapping("/internal/v1/relay-servers/{relayId}")
class RelayServerController {

  static final int MAX_WAIT_SECONDS = 30;

  private final JetsonSets sets;
  private final JetsonSetWatcher watcher;
  private final RelayReports reports;

  RelayServerController(JetsonSets sets, JetsonSetWatcher watcher, RelayReports reports) {
    this.sets = sets;
    this.watcher = watcher;
    this.reports = reports;
  }

  /**
   * The Jetson set. With {@code If-None-Match} equal to the current version and {@code wait > 0},
   * the request is held (no thread) until the set changes (200) or {@code wait} seconds pass (304).
   */
  @GetMapping("/jetsons")
  DeferredResult<ResponseEntity<?>> jetsons(
      @PathVariable String relayId,
      @RequestHeader(value = "If-None-Match", required = false) String ifNoneMatch,
      @RequestParam(value = "wait", required = false) String waitParam,
      HttpServletRequest request) {
    Relay relay = (Relay) request.getAttribute(RelayServerAuth.RELAY_ATTRIBUTE);
    int wait = parseWait(waitParam);
    String known = parseEtag(ifNoneMatch);
    String version = sets.version(relay.id());
    if (known == null || !known.equals(version)) {
      return done(JetsonSetAnswers.ok(sets.current(relay.id())));
    }
    if (wait == 0) {
      return done(JetsonSetAnswers.notModified(version));
    }
    DeferredResult<ResponseEntity<?>> result =
        new DeferredResult<>(wait * 1000L, () -> JetsonSetAnswers.notModified(version));
    if (!watcher.hold(relay.id(), version, result)) {
      throw new ApiProblemException(
          HttpStatus.SERVICE_UNAVAILABLE,
          dev.spoq.common.problem.ProblemTypes.of("too-many-waiters"),
          "Too many long-polls",
          "This coordinator holds as many long-polls as it may; retry without wait or later.",
          java.util.Map.of());
    }
    // A change between reading the version and holding the request is caught by this nudge.
    watcher.nudge();
    return result;
  }

  record SessionReport(
      @NotNull UUID jetsonId,
      @NotNull
          @Size(max = 64)
          @Pattern(regexp = "[0-9A-Fa-f.:\\[\\]]{3,64}", message = "must be ip:port")
          String agentAddress,
      @NotNull Instant upSince,
      @NotNull @Min(0) @Max(1_000_000) Integer clients,
      @NotNull @PositiveOrZero Long bytesToJetson,
      @NotNull @PositiveOrZero Long bytesFromJetson) {}

  record Report(
      @NotNull Instant startedAt,
      @NotNull @Size(max = 100_000, message = "at most 100000 sessions") @Valid
          List<@NotNull @Valid SessionReport> sessions) {}

  /** Sessions and usage; the relay is UP while these arrive (at least every 10 s). */
  @PostMapping("/report")
  ResponseEntity<Void> report(
      @PathVariable String relayId, @Valid @RequestBody Report report, HttpServletRequest request) {
    Relay relay = (Relay) request.getAttribute(RelayServerAuth.RELAY_ATTRIBUTE);
    reports.record(relay, report);
    return ResponseEntity.noContent().build();
  }

  private static DeferredResult<ResponseEntity<?>> done(ResponseEntity<?> answer) {
    DeferredResult<ResponseEntity<?>> result = new DeferredResult<>();
    result.setResult(answer);
    return result;
  }

  static int parseWait(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    if (!text.matches("\\d{1,2}") || Integer.parseInt(text) > MAX_WAIT_SECONDS) {
      throw ApiProblemException.invalid("wait must be a whole number of seconds, 0-30.");
    }
    return Integer.parseInt(text);
  }

  /** The version in {@code If-None-Match: "v"} (or {@code W/"v"}); null when absent or other. */
  static String parseEtag(String header) {
    if (header == null) {
      return null;
    }
    String h = header.strip();
    if (h.startsWith("W/")) {
      h = h.substring(2);
    }
    if (h.length() >= 2 && h.length() <= 80 && h.startsWith("\"") && h.endsWith("\"")) {
      String v = h.substring(1, h.length() - 1);
      return v.matches("[0-9a-f]{1,64}") ? v : null;
    }
    return null;
  }
}
