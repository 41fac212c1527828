package dev.spoq.relay.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.relay.assignment.Assignment;
import dev.spoq.relay.assignment.AssignmentRepository;
import dev.spoq.relay.audit.Audit;
import dev.spoq.relay.auth.Caller;
import dev.spoq.relay.auth.CallerResolver;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.IDN;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The fleet API (admin API key): register, update, drain, remove and inspect relays. */
@RestController
@RequestMapping("/api/relays")
class FleetController {

  static final String ID = "[a-z0-9][a-z0-9-]{0,31}";
  private static final java.util.regex.Pattern HOST =
      java.util.regex.Pattern.compile(
          "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
  private static final java.util.regex.Pattern IPV6 =
      java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");
  private static final java.util.regex.Pattern PRINTABLE =
      java.util.regex.Pattern.compile("[\\x21-\\x7e]*");

  private final CallerResolver callers;
  private final FleetService fleet;
  private final RelayRepository relays;
  private final AssignmentRepository assignments;
  private final Audit audit;
  private final AdminUrlPolicy adminUrls;

  FleetController(
      CallerResolver callers,
      FleetService fleet,
      RelayRepository relays,
      AssignmentRepository assignments,
      Audit audit,
      AdminUrlPolicy adminUrls) {
    this.adminUrls = adminUrls;
    this.callers = callers;
    this.fleet = fleet;
    this.relays = relays;
    this.assignments = assignments;
    this.audit = audit;
  }

  record PortRange(
      @NotNull @Min(value = 1024, message = "must be >= 1024") @Max(65535) Integer start,
      @NotNull @Min(value = 1024, message = "must be >= 1024") @Max(65535) Integer end) {}

  /**
   * Body of POST (with id) and PUT (id from the path; {@code adminPassword} null = keep). {@code
   * kind} {@code frp} (default) needs bindPort, udpPortRange, adminUrl, adminUser, adminPassword;
   * {@code spoq} takes wgPort and agentPort (defaults 51820/51821) and refuses the frp fields.
   */
  record RelayRequest(
      @Pattern(regexp = ID, message = "must be 1-32 of [a-z0-9-], starting with a letter or digit")
          String id,
      @Pattern(regexp = "frp|spoq", message = "must be 'frp' or 'spoq'") String kind,
      @NotNull @Pattern(regexp = "[a-z][a-z0-9-]{0,31}", message = "must be a region name")
          String region,
      @NotNull @Size(min = 1, max = 253) String publicHost,
      @Min(1) @Max(65535) Integer bindPort,
      @Valid PortRange udpPortRange,
      @NotNull @Min(1) @Max(1_000_000) Integer capacity,
      @Size(min = 8, max = 512) String adminUrl,
      @Size(max = 128)
          @Pattern(regexp = "[\\x21-\\x7e]*", message = "must be printable ASCII without spaces")
          String adminUser,
      @Size(max = 256) String adminPassword,
      @Min(1) @Max(65535) Integer wgPort,
      @Min(1) @Max(65535) Integer agentPort) {
    String kindOrDefault() {
      return kind == null ? Relay.FRP : kind;
    }
  }

  record RangeView(int start, int end) {}

  /** What the API shows of a relay: never its admin credentials. */
  record RelayView(
      String id,
      String kind,
      String region,
      String publicHost,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer bindPort,
      @JsonInclude(JsonInclude.Include.NON_NULL) RangeView udpPortRange,
      int capacity,
      int effectiveCapacity,
      int assigned,
      @JsonInclude(JsonInclude.Include.NON_NULL) String adminUrl,
      boolean adminCredentialsSet,
      String status,
      boolean draining,
      int consecutiveFailures,
      Instant lastCheckAt,
      Instant lastOkAt,
      String lastError,
      String frpsVersion,
      Long clientCount,
      Long proxyCount,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer wgPort,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer agentPort,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant lastReportAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) String relayToken) {
    RelayView withToken(String token) {
      return new RelayView(
          id,
          kind,
          region,
          publicHost,
          bindPort,
          udpPortRange,
          capacity,
          effectiveCapacity,
          assigned,
          adminUrl,
          adminCredentialsSet,
          status,
          draining,
          consecutiveFailures,
          lastCheckAt,
          lastOkAt,
          lastError,
          frpsVersion,
          clientCount,
          proxyCount,
          wgPort,
          agentPort,
          lastReportAt,
          token);
    }
  }

  @PostMapping
  ResponseEntity<RelayView> register(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @Valid @RequestBody RelayRequest body,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    if (body.id() == null) {
      throw ApiProblemException.invalid("id is required.");
    }
    if (Relay.FRP.equals(body.kindOrDefault()) && body.adminPassword() == null) {
      throw ApiProblemException.invalid(
          "adminPassword is required (use an empty string if the frps web server has none).");
    }
    FleetService.Registered registered = fleet.register(toRelay(body.id(), body));
    Relay relay = registered.relay();
    auditSuccess(
        caller,
        "relay.registered",
        relay.id(),
        request,
        Map.of("region", relay.region(), "host", relay.publicHost(), "kind", relay.kind()));
    return ResponseEntity.status(HttpStatus.CREATED)
        .cacheControl(CacheControl.noStore())
        .body(view(relay).withToken(registered.relayToken()));
  }

  record TokenAnswer(String relayId, String relayToken) {}

  /** A new token for a spoq relay (shown once); the previous one is refused at once. */
  @PostMapping("/{id}/token/rotate")
  ResponseEntity<TokenAnswer> rotateToken(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    String token = fleet.rotateToken(checkId(id));
    auditSuccess(caller, "relay.token.rotated", id, request, Map.of());
    return ResponseEntity.ok()
        .cacheControl(CacheControl.noStore())
        .body(new TokenAnswer(id, token));
  }

  @GetMapping
  List<RelayView> list(
      @RequestHeader(value = "Authorization", required = false) String authorization) {
    callers.requireAdmin(authorization);
    Map<String, Integer> counts = relays.assignedCounts();
    return fleet.list().stream().map(r -> view(r, counts.getOrDefault(r.id(), 0))).toList();
  }

  @GetMapping("/{id}")
  RelayView get(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id) {
    callers.requireAdmin(authorization);
    return view(fleet.get(checkId(id)));
  }

  @PutMapping("/{id}")
  RelayView update(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id,
      @Valid @RequestBody RelayRequest body,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    checkId(id);
    if (body.id() != null && !body.id().equals(id)) {
      throw ApiProblemException.invalid("The id in the body differs from the path.");
    }
    Relay relay = fleet.update(id, toRelay(id, body));
    auditSuccess(
        caller,
        "relay.updated",
        id,
        request,
        Map.of("passwordChanged", body.adminPassword() != null));
    return view(relay);
  }

  record DrainAnswer(RelayView relay, int moved) {}

  @PostMapping("/{id}/drain")
  DrainAnswer drain(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    int moved = fleet.drain(checkId(id));
    auditSuccess(caller, "relay.drained", id, request, Map.of("moved", moved));
    return new DrainAnswer(view(fleet.get(id)), moved);
  }

  @PostMapping("/{id}/undrain")
  RelayView undrain(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    Relay relay = fleet.undrain(checkId(id));
    auditSuccess(caller, "relay.undrained", id, request, Map.of());
    return view(relay);
  }

  @DeleteMapping("/{id}")
  ResponseEntity<Void> delete(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    fleet.delete(checkId(id));
    auditSuccess(caller, "relay.deleted", id, request, Map.of());
    return ResponseEntity.noContent().build();
  }

  record AssignmentView(
      String jetsonId,
      String relayId,
      Integer remotePort,
      String reason,
      Instant assignedAt,
      boolean proxyOpen,
      Instant lastLoginAt,
      Instant lastProxyAt,
      Instant lastClosedAt) {
    static AssignmentView of(Assignment a) {
      return new AssignmentView(
          a.jetsonId().toString(),
          a.relayId(),
          a.remotePort(),
          a.reason(),
          a.assignedAt(),
          a.proxyOpen(),
          a.lastLoginAt(),
          a.lastProxyAt(),
          a.lastClosedAt());
    }
  }

  @GetMapping("/{id}/assignments")
  List<AssignmentView> assignments(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id,
      @RequestParam(defaultValue = "100") int limit,
      @RequestParam(defaultValue = "0") int offset) {
    callers.requireAdmin(authorization);
    fleet.get(checkId(id));
    if (limit < 1 || limit > 1000 || offset < 0) {
      throw ApiProblemException.invalid("limit must be 1-1000 and offset >= 0.");
    }
    return assignments.page(id, limit, offset).stream().map(AssignmentView::of).toList();
  }

  private RelayView view(Relay r) {
    return view(r, relays.assignedCount(r.id()));
  }

  private static RelayView view(Relay r, int assigned) {
    boolean spoq = r.isSpoq();
    return new RelayView(
        r.id(),
        r.kind(),
        r.region(),
        r.publicHost(),
        spoq ? null : r.bindPort(),
        spoq ? null : new RangeView(r.portRangeStart(), r.portRangeEnd()),
        r.capacity(),
        r.effectiveCapacity(),
        assigned,
        spoq ? null : r.adminUrl(),
        !r.adminUser().isEmpty() || !r.adminPassword().isEmpty(),
        r.status(),
        r.draining(),
        r.consecutiveFailures(),
        r.lastCheckAt(),
        r.lastOkAt(),
        r.lastError(),
        r.frpsVersion(),
        r.clientCount(),
        r.proxyCount(),
        spoq ? r.wgPort() : null,
        spoq ? r.agentPort() : null,
        r.lastReportAt(),
        null);
  }

  private static String checkId(String id) {
    if (id == null || !id.matches(ID)) {
      throw ApiProblemException.notFound("No relay with that id.");
    }
    return id;
  }

  private Relay toRelay(String id, RelayRequest body) {
    String host = body.publicHost().trim();
    if (!validHost(host)) {
      throw ApiProblemException.invalid("publicHost must be a DNS name or an IP address.");
    }
    if (Relay.SPOQ.equals(body.kindOrDefault())) {
      if (body.bindPort() != null
          || body.udpPortRange() != null
          || body.adminUrl() != null
          || body.adminUser() != null
          || body.adminPassword() != null) {
        throw ApiProblemException.invalid(
            "bindPort, udpPortRange, adminUrl, adminUser and adminPassword are frp settings; a spoq relay takes wgPort and agentPort.");
      }
      int wgPort = body.wgPort() == null ? 51820 : body.wgPort();
      int agentPort = body.agentPort() == null ? 51821 : body.agentPort();
      if (wgPort == agentPort) {
        throw ApiProblemException.invalid("wgPort and agentPort must differ.");
      }
      return new Relay(
          id,
          Relay.SPOQ,
          body.region(),
          host,
          0,
          0,
          0,
          body.capacity(),
          "",
          "",
          "",
          Relay.UNKNOWN,
          false,
          0,
          null,
          null,
          null,
          null,
          null,
          null,
          wgPort,
          agentPort,
          null);
    }
    if (body.wgPort() != null || body.agentPort() != null) {
      throw ApiProblemException.invalid("wgPort and agentPort are settings of a spoq relay.");
    }
    if (body.bindPort() == null
        || body.udpPortRange() == null
        || body.adminUrl() == null
        || body.adminUser() == null) {
      throw ApiProblemException.invalid(
          "An frp relay needs bindPort, udpPortRange, adminUrl and adminUser.");
    }
    if (body.udpPortRange().start() > body.udpPortRange().end()) {
      throw ApiProblemException.invalid("udpPortRange.start must not be above udpPortRange.end.");
    }
    if (body.bindPort() >= body.udpPortRange().start()
        && body.bindPort() <= body.udpPortRange().end()) {
      throw ApiProblemException.invalid("bindPort must lie outside udpPortRange.");
    }
    String adminUrl = adminUrls.validate(body.adminUrl().trim());
    if (body.adminPassword() != null && !PRINTABLE.matcher(body.adminPassword()).matches()) {
      throw ApiProblemException.invalid("adminPassword must be printable ASCII without spaces.");
    }
    return new Relay(
        id,
        Relay.FRP,
        body.region(),
        host,
        body.bindPort(),
        body.udpPortRange().start(),
        body.udpPortRange().end(),
        body.capacity(),
        adminUrl,
        body.adminUser(),
        body.adminPassword(),
        Relay.UNKNOWN,
        false,
        0,
        null,
        null,
        null,
        null,
        null,
        null,
        0,
        0,
        null);
  }

  /** An admin change to a relay, audited as done. */
  private void auditSuccess(
      Caller caller,
      String action,
      String relayId,
      HttpServletRequest request,
      Map<String, Object> details) {
    audit.record(
        caller.actor(), action, "relay:" + relayId, request.getRemoteAddr(), "SUCCESS", details);
  }

  static boolean validHost(String host) {
    if (HOST.matcher(host).matches()) {
      return IDN.toASCII(host, IDN.USE_STD3_ASCII_RULES).equals(host);
    }
    return host.contains(":") && IPV6.matcher(host).matches() && isInetLiteral(host);
  }

  private static boolean isInetLiteral(String host) {
    // With a ':' in it, InetAddress parses the text as an IPv6 literal and never asks DNS.
    try {
      return java.net.InetAddress.getByName(host) instanceof java.net.Inet6Address;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
