package dev.spoq.relay.fleet;

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
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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

  FleetController(
      CallerResolver callers,
      FleetService fleet,
      RelayRepository relays,
      AssignmentRepository assignments,
      Audit audit) {
    this.callers = callers;
    this.fleet = fleet;
    this.relays = relays;
    this.assignments = assignments;
    this.audit = audit;
  }

  record PortRange(
      @NotNull @Min(value = 1024, message = "must be >= 1024") @Max(65535) Integer start,
      @NotNull @Min(value = 1024, message = "must be >= 1024") @Max(65535) Integer end) {}

  /** Body of POST (with id) and PUT (id from the path; {@code adminPassword} null = keep). */
  record RelayRequest(
      @Pattern(regexp = ID, message = "must be 1-32 of [a-z0-9-], starting with a letter or digit")
          String id,
      @NotNull @Pattern(regexp = "[a-z][a-z0-9-]{0,31}", message = "must be a region name")
          String region,
      @NotNull @Size(min = 1, max = 253) String publicHost,
      @NotNull @Min(1) @Max(65535) Integer bindPort,
      @NotNull @Valid PortRange udpPortRange,
      @NotNull @Min(1) @Max(1_000_000) Integer capacity,
      @NotNull @Size(min = 8, max = 512) String adminUrl,
      @NotNull
          @Size(max = 128)
          @Pattern(regexp = "[\\x21-\\x7e]*", message = "must be printable ASCII without spaces")
          String adminUser,
      @Size(max = 256) String adminPassword) {}

  record RangeView(int start, int end) {}

  /** What the API shows of a relay: never its admin credentials. */
  record RelayView(
      String id,
      String region,
      String publicHost,
      int bindPort,
      RangeView udpPortRange,
      int capacity,
      int effectiveCapacity,
      int assigned,
      String adminUrl,
      boolean adminCredentialsSet,
      String status,
      boolean draining,
      int consecutiveFailures,
      Instant lastCheckAt,
      Instant lastOkAt,
      String lastError,
      String frpsVersion,
      Long clientCount,
      Long proxyCount) {}

  @PostMapping
  ResponseEntity<RelayView> register(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @Valid @RequestBody RelayRequest body,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    if (body.id() == null) {
      throw ApiProblemException.invalid("id is required.");
    }
    if (body.adminPassword() == null) {
      throw ApiProblemException.invalid(
          "adminPassword is required (use an empty string if the frps web server has none).");
    }
    Relay relay = fleet.register(toRelay(body.id(), body));
    audit.record(
        caller.actor(),
        "relay.registered",
        "relay:" + relay.id(),
        request.getRemoteAddr(),
        "SUCCESS",
        Map.of("region", relay.region(), "host", relay.publicHost()));
    return ResponseEntity.status(HttpStatus.CREATED).body(view(relay));
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
    audit.record(
        caller.actor(),
        "relay.updated",
        "relay:" + id,
        request.getRemoteAddr(),
        "SUCCESS",
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
    audit.record(
        caller.actor(),
        "relay.drained",
        "relay:" + id,
        request.getRemoteAddr(),
        "SUCCESS",
        Map.of("moved", moved));
    return new DrainAnswer(view(fleet.get(id)), moved);
  }

  @PostMapping("/{id}/undrain")
  RelayView undrain(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    Relay relay = fleet.undrain(checkId(id));
    audit.record(
        caller.actor(),
        "relay.undrained",
        "relay:" + id,
        request.getRemoteAddr(),
        "SUCCESS",
        Map.of());
    return view(relay);
  }

  @DeleteMapping("/{id}")
  ResponseEntity<Void> delete(
      @RequestHeader(value = "Authorization", required = false) String authorization,
      @PathVariable String id,
      HttpServletRequest request) {
    Caller caller = callers.requireAdmin(authorization);
    fleet.delete(checkId(id));
    audit.record(
        caller.actor(),
        "relay.deleted",
        "relay:" + id,
        request.getRemoteAddr(),
        "SUCCESS",
        Map.of());
    return ResponseEntity.noContent().build();
  }

  record AssignmentView(
      String jetsonId,
      String relayId,
      int remotePort,
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
    return new RelayView(
        r.id(),
        r.region(),
        r.publicHost(),
        r.bindPort(),
        new RangeView(r.portRangeStart(), r.portRangeEnd()),
        r.capacity(),
        r.effectiveCapacity(),
        assigned,
        r.adminUrl(),
        !r.adminUser().isEmpty() || !r.adminPassword().isEmpty(),
        r.status(),
        r.draining(),
        r.consecutiveFailures(),
        r.lastCheckAt(),
        r.lastOkAt(),
        r.lastError(),
        r.frpsVersion(),
        r.clientCount(),
        r.proxyCount());
  }

  private static String checkId(String id) {
    if (id == null || !id.matches(ID)) {
      throw ApiProblemException.notFound("No relay with that id.");
    }
    return id;
  }

  private static Relay toRelay(String id, RelayRequest body) {
    String host = body.publicHost().trim();
    if (!validHost(host)) {
      throw ApiProblemException.invalid("publicHost must be a DNS name or an IP address.");
    }
    if (body.udpPortRange().start() > body.udpPortRange().end()) {
      throw ApiProblemException.invalid("udpPortRange.start must not be above udpPortRange.end.");
    }
    if (body.bindPort() >= body.udpPortRange().start()
        && body.bindPort() <= body.udpPortRange().end()) {
      throw ApiProblemException.invalid("bindPort must lie outside udpPortRange.");
    }
    String adminUrl = validAdminUrl(body.adminUrl().trim());
    if (body.adminPassword() != null && !PRINTABLE.matcher(body.adminPassword()).matches()) {
      throw ApiProblemException.invalid("adminPassword must be printable ASCII without spaces.");
    }
    return new Relay(
        id,
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
        null);
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

  private static String validAdminUrl(String url) {
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      if (scheme == null
          || !(scheme.equals("http") || scheme.equals("https"))
          || uri.getHost() == null
          || uri.getRawUserInfo() != null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw ApiProblemException.invalid(
            "adminUrl must be an http(s) URL of the frps web server, without credentials, query or fragment.");
      }
      return url.replaceAll("/+$", "");
    } catch (URISyntaxException e) {
      throw ApiProblemException.invalid("adminUrl is not a valid URL.");
    }
  }
}
