package dev.spoq.relay.assignment;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.relay.audit.Audit;
import dev.spoq.relay.auth.Caller;
import dev.spoq.relay.auth.CallerResolver;
import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.config.RelaySecrets;
import dev.spoq.relay.fleet.Relay;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The Jetson agent's API (device token): its relay assignment, latency reports, credential. */
@RestController
@RequestMapping("/api/relay")
class AgentRelayController {

  private final CallerResolver callers;
  private final AssignmentService assignments;
  private final RelayCredentials credentials;
  private final FrpcConfigRenderer renderer;
  private final RelaySecrets secrets;
  private final TransactionTemplate tx;
  private final Audit audit;
  private final RegistryClient registry;
  private final JetsonSetChanges jetsonSets;
  private final RelayProperties properties;

  AgentRelayController(
      CallerResolver callers,
      AssignmentService assignments,
      RelayCredentials credentials,
      FrpcConfigRenderer renderer,
      RelaySecrets secrets,
      TransactionTemplate tx,
      Audit audit,
      RegistryClient registry,
      JetsonSetChanges jetsonSets,
      RelayProperties properties) {
    this.properties = properties;
    this.registry = registry;
    this.jetsonSets = jetsonSets;
    this.callers = callers;
    this.assignments = assignments;
    this.credentials = credentials;
    this.renderer = renderer;
    this.secrets = secrets;
    this.tx = tx;
    this.audit = audit;
  }

  /** A relay as the agent sees it: frp relays with bindPort, spoq relays with wgPort/agentPort. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record RelayRef(
      String id,
      String kind,
      String region,
      String host,
      Integer bindPort,
      Integer wgPort,
      Integer agentPort,
      String status) {
    static RelayRef of(Relay r) {
      return r.isSpoq()
          ? new RelayRef(
              r.id(),
              r.kind(),
              r.region(),
              r.publicHost(),
              null,
              r.wgPort(),
              r.agentPort(),
              r.status())
          : new RelayRef(
              r.id(), r.kind(), r.region(), r.publicHost(), r.bindPort(), null, null, r.status());
    }
  }

  /**
   * One relay per region (up, most free room) to measure latency against: TCP connect time to an
   * frp relay's bind port; a spoq relay's agent port is UDP (measure with the session's hello).
   */
  record Probe(String region, String host, int port, String kind) {}

  /**
   * frp: remotePort, proxyName, endpoint (relay host:remotePort), relayCredential and frpcConfig.
   * spoq: endpoint is the relay's client address (host:wgPort), credential is the relay credential
   * the agent derives its session key from; no port, proxy or frpc config.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record AssignmentAnswer(
      UUID jetsonId,
      String kind,
      RelayRef relay,
      Integer remotePort,
      String proxyName,
      String endpoint,
      String reason,
      Instant assignedAt,
      boolean changed,
      List<RelayRef> fallbacks,
      List<Probe> regions,
      String relayCredential,
      String credential,
      String frpcConfigFormat,
      String frpcConfig,
      String frpcAdminUser,
      String frpcAdminPassword,
      String relayCaPem,
      String relayCaFile) {}

  @GetMapping("/assignment")
  ResponseEntity<AssignmentAnswer> assignment(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      HttpServletRequest request) {
    Caller.Device device = callers.requireDevice(authorization);
    AssignmentAnswer answer = answer(device.jetsonId(), false);
    if (answer.changed()) {
      audit.record(
          device.actor(),
          "relay.assignment.changed",
          answer.remotePort() == null
              ? answer.relay().id()
              : answer.relay().id() + ":" + answer.remotePort(),
          request.getRemoteAddr(),
          "SUCCESS",
          Map.of("reason", answer.reason()));
    }
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(answer);
  }

  /** Replaces the Jetson's relay credential; the answer carries the new one and the new config. */
  @PostMapping("/credential/rotate")
  ResponseEntity<AssignmentAnswer> rotate(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      HttpServletRequest request) {
    Caller.Device device = callers.requireDevice(authorization);
    AssignmentAnswer answer = answer(device.jetsonId(), true);
    audit.record(
        device.actor(),
        "relay.credential.rotated",
        "jetson:" + device.jetsonId(),
        request.getRemoteAddr(),
        "SUCCESS",
        Map.of());
    return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(answer);
  }

  record Sample(
      @NotNull @Pattern(regexp = "[a-z][a-z0-9-]{0,31}", message = "must be a region name")
          String region,
      @NotNull
          @DecimalMin(value = "0.0", message = "must be >= 0")
          @DecimalMax(value = "60000.0", message = "must be <= 60000")
          Double rttMs) {}

  record LatencyReport(
      @NotNull @NotEmpty @Size(max = 32, message = "at most 32 samples") @Valid
          List<@NotNull(message = "must not contain null") @Valid Sample> samples) {}

  record LatencyAnswer(int stored) {}

  @PostMapping("/latency")
  LatencyAnswer latency(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @Valid @RequestBody LatencyReport report) {
    Caller.Device device = callers.requireDevice(authorization);
    Map<String, Double> byRegion = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (Sample m : report.samples()) {
      if (!seen.add(m.region())) {
        throw ApiProblemException.invalid("Each region may appear once per report.");
      }
      byRegion.put(m.region(), m.rttMs());
    }
    assignments.recordLatency(device.jetsonId(), byRegion);
    return new LatencyAnswer(byRegion.size());
  }

  private AssignmentAnswer answer(UUID jetsonId, boolean rotate) {
    AssignmentService.Placement placement = assignments.place(jetsonId);
    Assignment a = placement.assignment();
    Relay relay = placement.relay();
    if (relay.isSpoq()) {
      // The relay-server recognises the Jetson's clients by its WireGuard public key.
      JetsonSummary summary =
          registry
              .jetson(jetsonId)
              .orElseThrow(() -> ApiProblemException.notFound("No Jetson with that id."));
      if (summary.publicKey() == null || summary.publicKey().isBlank()) {
        throw ApiProblemException.conflict(
            "The Jetson has no WireGuard public key at the registry yet.");
      }
      assignments.saveKey(jetsonId, summary.publicKey());
    }
    String credential =
        tx.execute(s -> rotate ? credentials.rotate(jetsonId) : credentials.current(jetsonId));
    if (rotate || relay.isSpoq()) {
      jetsonSets.changed(); // a new credential or a (re)stored key changes the session key set
    }
    List<RelayRef> fallbacks = placement.fallbacks().stream().map(RelayRef::of).toList();
    List<Probe> probes =
        assignments.probes().stream()
            .map(
                r ->
                    new Probe(
                        r.region(),
                        r.publicHost(),
                        r.isSpoq() ? r.agentPort() : r.bindPort(),
                        r.kind()))
            .toList();
    if (relay.isSpoq()) {
      return new AssignmentAnswer(
          jetsonId,
          Relay.SPOQ,
          RelayRef.of(relay),
          null,
          null,
          Relay.hostPort(relay.publicHost(), relay.wgPort()),
          a.reason(),
          a.assignedAt(),
          placement.changed(),
          fallbacks,
          probes,
          null,
          credential,
          null,
          null,
          null,
          null,
          null,
          null);
    }
    String adminPassword = credentials.frpcAdminPassword(jetsonId);
    String config =
        renderer.render(
            jetsonId, relay, a.remotePort(), secrets.frpsAuthToken(), credential, adminPassword);
    return new AssignmentAnswer(
        jetsonId,
        Relay.FRP,
        RelayRef.of(relay),
        a.remotePort(),
        ProxyNames.of(jetsonId),
        Relay.hostPort(relay.publicHost(), a.remotePort()),
        a.reason(),
        a.assignedAt(),
        placement.changed(),
        fallbacks,
        probes,
        credential,
        null,
        "toml",
        config,
        FrpcConfigRenderer.ADMIN_USER,
        adminPassword,
        renderer.verifiesTls() ? properties.relay().frpc().relayCaPem() : null,
        renderer.verifiesTls() ? properties.relay().frpc().caFile() : null);
  }
}
