package dev.spoq.agent.upnp;

import dev.spoq.agent.config.AgentConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitlet.weupnp.GatewayDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP port forward for WireGuard on the home router, kept true at all times.
 *
 * <p>{@link #maintain()} runs every second: it checks every {@code upnp.check-interval} that the
 * gateway still lists the mapping, renews it every {@code upnp.refresh}, and when the mapping is
 * missing adds it again at once, retrying with backoff (1 s, 2 s, 4 s … up to {@code
 * upnp.repair-backoff-max}). A control URL that stops answering (the router rebooted and its UPnP
 * daemon took a new HTTP port) triggers SSDP discovery before the next try.
 *
 * <p>Statuses: {@code pending} (first discovery running), {@code active} (the gateway listed our
 * mapping at the last check), {@code lost} (it did not; the first repair runs now), {@code
 * repairing} (repairs failed; retrying with backoff), {@code unavailable} (no gateway ever found),
 * {@code failed} (the gateway refused the mapping), {@code deleted}, {@code disabled}.
 *
 * <p>SOAP calls go through weupnp's raw {@link GatewayDevice#simpleUPnPcommand} (its convenience
 * methods hardcode lease 0 and hide error codes), with every value XML-escaped because weupnp
 * concatenates them into the envelope. Error 718 (another host owns the port) moves to the next
 * candidate port; 725 (only permanent leases) retries with lease 0, after which the mapping is kept
 * by the presence checks instead of renewals. 724 (same port values required: the gateway maps an
 * external port only to the same internal port) moves WireGuard's listen port to the candidate
 * through the {@link ListenPortMover} and retries with that port on both sides; from then on every
 * renewal and repair uses that pair, and it is kept in {@link UpnpPorts} for the next start.
 */
public class UpnpMapper {

  private static final Logger log = LoggerFactory.getLogger(UpnpMapper.class);
  static final String CONFLICT = "718";
  static final String ONLY_PERMANENT_LEASES = "725";
  static final String SAME_PORT_REQUIRED = "724";

  /** Moves WireGuard (and what forwards to it) to another UDP listen port; false if it cannot. */
  @FunctionalInterface
  public interface ListenPortMover {
    boolean moveTo(int port);
  }

  public record Snapshot(
      String status,
      String externalIp,
      Integer externalPort,
      String gateway,
      String localAddress,
      Instant lastRefresh,
      long leaseSeconds,
      String error,
      Instant lostAt,
      String controlUrl,
      int internalPort) {}

  private final AgentConfig config;
  private final Clock clock;
  private final ListenPortMover mover;
  private volatile int internalPort;
  private boolean samePortRequired;
  private GatewayDevice gateway;
  private Integer externalPort;
  private volatile Instant lastRefresh;
  private volatile Instant lastConfirmed;
  private String externalIp;
  private volatile long leaseSeconds;
  private Instant nextCheck = Instant.MIN;
  private Instant nextDiscovery = Instant.MIN;
  private Instant lostAt;
  private String lostReason;
  private Instant nextRepair;
  private Duration repairBackoff;
  private int repairAttempts;
  private boolean rediscover;
  private volatile Snapshot snapshot;

  public UpnpMapper(AgentConfig config, Clock clock) {
    this(config, clock, Optional.empty(), port -> false);
  }

  /**
   * @param saved the pair that worked before a restart (WireGuard already listens on its internal
   *     port); its external port is tried first
   * @param mover moves WireGuard's listen port when the gateway answers 724
   */
  public UpnpMapper(
      AgentConfig config, Clock clock, Optional<UpnpPorts> saved, ListenPortMover mover) {
    this.config = config;
    this.clock = clock;
    this.mover = mover;
    this.internalPort = saved.map(UpnpPorts::internal).orElse(config.wgListenPort());
    this.samePortRequired = saved.isPresent();
    this.externalPort = saved.map(UpnpPorts::external).orElse(null);
    this.leaseSeconds = config.upnpLease().toSeconds();
    this.snapshot =
        new Snapshot(
            config.upnpEnabled() ? "pending" : "disabled",
            null,
            null,
            null,
            null,
            null,
            leaseSeconds,
            null,
            null,
            null,
            internalPort);
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** The UDP port the mapping forwards to (WireGuard's listen port). */
  public int internalPort() {
    return internalPort;
  }

  /** Uses a known gateway instead of SSDP (tests against a protocol fixture). */
  synchronized void useGateway(GatewayDevice device) {
    gateway = device;
    rediscover = false;
  }

  /**
   * One turn of the maintenance loop (called every second): first mapping, presence checks,
   * renewals, and repairs when due. Cheap when nothing is due.
   */
  public synchronized void maintain() {
    if (!config.upnpEnabled() || "deleted".equals(snapshot.status())) {
      return;
    }
    Instant now = clock.instant();
    if (lostAt != null) {
      if (!now.isBefore(nextRepair)) {
        repair();
      }
      return;
    }
    if (lastRefresh == null) {
      // Never mapped (no gateway, or it refused): retry at the refresh interval, not faster.
      if (!now.isBefore(nextDiscovery)) {
        mapOrRefresh();
        nextDiscovery = now.plus(config.upnpRefresh());
      }
      return;
    }
    if (leaseSeconds > 0 && !now.isBefore(lastRefresh.plus(config.upnpRefresh()))) {
      renew();
      return;
    }
    if (!now.isBefore(nextCheck)) {
      nextCheck = now.plus(config.upnpCheckInterval());
      String missing = checkPresence();
      if (missing != null) {
        markLost(missing);
        repair();
      }
    }
  }

  /** Creates or renews the mapping now; discovers the gateway first when needed. */
  public synchronized Snapshot mapOrRefresh() {
    if (!config.upnpEnabled()) {
      return snapshot;
    }
    try {
      if (gateway == null || rediscover) {
        if (!discoverGateway()) {
          return publish("unavailable", "no UPnP gateway answered on the LAN");
        }
      }
      String error = addWithPortSearch();
      if (error == null) {
        lostAt = null;
        lostReason = null;
        return publish("active", null);
      }
      log.warn("UPnP mapping failed: {}", error);
      return publish("failed", error);
    } catch (Exception e) {
      if (lastRefresh == null) {
        log.warn("UPnP gateway unreachable: {}", describe(e));
      }
      rediscover = true;
      return publish("unavailable", describe(e));
    }
  }

  /** True when the router lists our mapping for our address right now (a SOAP call). */
  public synchronized boolean mappingPresent() {
    return gateway != null && lastRefresh != null && checkPresence() == null;
  }

  /**
   * True when the mapping is known to hold: renewed within its lease, or, for a permanent (lease 0)
   * mapping, confirmed by a presence check within two check intervals.
   */
  public boolean refreshedWithinLease() {
    Instant now = clock.instant();
    if (lastRefresh == null) {
      return false;
    }
    if (leaseSeconds == 0) {
      Instant confirmed = lastConfirmed == null ? lastRefresh : lastConfirmed;
      return confirmed.plus(config.upnpCheckInterval().multipliedBy(2)).isAfter(now);
    }
    return lastRefresh.plusSeconds(leaseSeconds).isAfter(now);
  }

  /** The gateway's external address (a cheap SOAP call to the known gateway), or the last one. */
  public synchronized String readExternalIp() {
    if (gateway == null || rediscover) {
      return externalIp;
    }
    try {
      Map<String, String> answer = soap("GetExternalIPAddress", Map.of());
      String ip = answer.get("NewExternalIPAddress");
      if (ip != null && !ip.isBlank() && !ip.trim().equals(externalIp)) {
        externalIp = ip.trim();
        publish(snapshot.status(), snapshot.error());
      }
    } catch (Exception e) {
      log.debug("UPnP GetExternalIPAddress failed: {}", describe(e));
    }
    return externalIp;
  }

  /** Deletes our mapping (on shutdown). */
  public synchronized void delete() {
    if (gateway == null || externalPort == null || lastRefresh == null) {
      publish("deleted", null);
      return;
    }
    try {
      Map<String, String> args = new LinkedHashMap<>();
      args.put("NewRemoteHost", "");
      args.put("NewExternalPort", String.valueOf(externalPort));
      args.put("NewProtocol", "UDP");
      Map<String, String> answer = soap("DeletePortMapping", args);
      if (answer.containsKey("errorCode")) {
        log.warn(
            "UPnP DeletePortMapping {} answered error {}", externalPort, answer.get("errorCode"));
      } else {
        log.info("UPnP mapping on external port {} deleted", externalPort);
      }
    } catch (Exception e) {
      log.warn("UPnP DeletePortMapping failed: {}", describe(e));
    }
    lastRefresh = null;
    publish("deleted", null);
  }

  // ---- internals -----------------------------------------------------------------------------

  private void renew() {
    try {
      String error = addWithPortSearch();
      if (error == null) {
        return;
      }
      markLost("renewal refused: " + error);
    } catch (Exception e) {
      rediscover = true; // no SOAP answer: the control URL may be stale
      markLost("renewal failed: " + describe(e));
    }
    repair();
  }

  /** Null when the gateway lists our mapping; otherwise why not. */
  private String checkPresence() {
    try {
      Map<String, String> args = new LinkedHashMap<>();
      args.put("NewRemoteHost", "");
      args.put("NewExternalPort", String.valueOf(externalPort));
      args.put("NewProtocol", "UDP");
      Map<String, String> answer = soap("GetSpecificPortMappingEntry", args);
      if (answer.containsKey("errorCode") || answer.isEmpty()) {
        return "the gateway no longer lists the mapping"
            + (answer.containsKey("errorCode")
                ? " (UPnP error " + answer.get("errorCode") + ")"
                : "");
      }
      String client = answer.get("NewInternalClient");
      String port = answer.get("NewInternalPort");
      if (!gateway.getLocalAddress().getHostAddress().equals(client)
          || !String.valueOf(internalPort).equals(port)) {
        return "the gateway maps external port " + externalPort + " to " + client + ":" + port;
      }
      lastConfirmed = clock.instant();
      return null;
    } catch (Exception e) {
      rediscover = true; // no SOAP answer: the control URL may be stale
      return "gateway unreachable at " + gateway.getControlURL() + " (" + describe(e) + ")";
    }
  }

  private void markLost(String reason) {
    lostAt = clock.instant();
    lostReason = reason;
    repairAttempts = 0;
    repairBackoff = Duration.ofSeconds(1);
    nextRepair = lostAt;
    log.info("UPnP mapping lost: {}", reason);
    publish("lost", lostReason);
  }

  private void repair() {
    repairAttempts++;
    Instant attemptStart = clock.instant();
    String error;
    try {
      if (rediscover) {
        String oldUrl = gateway == null ? null : gateway.getControlURL();
        if (!discoverGateway()) {
          throw new IllegalStateException("no UPnP gateway answered on the LAN");
        }
        if (oldUrl != null && !oldUrl.equals(gateway.getControlURL())) {
          log.info(
              "UPnP gateway rediscovered: control URL {} -> {}", oldUrl, gateway.getControlURL());
        }
      }
      if (checkPresence() == null) {
        error = null; // the gateway kept (or restored) it: nothing to add
      } else if (rediscover) {
        throw new IllegalStateException("gateway unreachable at " + gateway.getControlURL());
      } else {
        error = addWithPortSearch();
      }
    } catch (Exception e) {
      rediscover = true; // no SOAP answer: the control URL may be stale
      error = describe(e);
    }
    Instant now = clock.instant();
    if (error == null) {
      log.info(
          "UPnP mapping restored after {} ms ({} attempt(s)): UDP {}:{} -> {}:{}",
          Duration.between(lostAt, now).toMillis(),
          repairAttempts,
          externalIp,
          externalPort,
          gateway.getLocalAddress().getHostAddress(),
          internalPort);
      lostAt = null;
      lostReason = null;
      nextCheck = now.plus(config.upnpCheckInterval());
      publish("active", null);
      return;
    }
    // Spaced from the start of this attempt: a discovery that waited its timeout counts.
    nextRepair = attemptStart.plus(repairBackoff);
    if (repairAttempts == 1) {
      log.info(
          "UPnP repair failed ({}); retrying with backoff up to {} s",
          error,
          config.upnpRepairBackoffMax().toSeconds());
    } else {
      log.debug("UPnP repair attempt {} failed: {}", repairAttempts, error);
    }
    Duration doubled = repairBackoff.multipliedBy(2);
    repairBackoff =
        doubled.compareTo(config.upnpRepairBackoffMax()) > 0
            ? config.upnpRepairBackoffMax()
            : doubled;
    publish("repairing", "lost at " + lostAt + ": " + lostReason + "; last repair: " + error);
  }

  private boolean discoverGateway() throws Exception {
    GatewayDevice found = SsdpDiscovery.find(config.upnpDiscoveryTimeout()).orElse(null);
    if (found == null) {
      return false;
    }
    boolean first = gateway == null;
    gateway = found;
    rediscover = false;
    if (first) {
      log.info(
          "UPnP gateway {} at {} (control {} {}, our address {})",
          found.getFriendlyName(),
          found.getLocation(),
          found.getServiceType(),
          found.getControlURL(),
          found.getLocalAddress().getHostAddress());
    }
    return true;
  }

  /** Adds (or renews) the mapping over the candidate ports; null on success, else the error. */
  private String addWithPortSearch() throws Exception {
    List<Integer> candidates = new ArrayList<>();
    if (externalPort != null) {
      candidates.add(externalPort);
    }
    candidates.add(config.upnpExternalPort());
    candidates.addAll(config.upnpAlternativePorts());
    String lastError = null;
    for (Integer port : candidates.stream().distinct().toList()) {
      if (samePortRequired && port != internalPort && !moveListenPort(port)) {
        lastError = "WireGuard cannot listen on UDP " + port;
        continue;
      }
      Map<String, String> answer = addMapping(port, leaseSeconds);
      String code = answer.get("errorCode");
      if (ONLY_PERMANENT_LEASES.equals(code) && leaseSeconds != 0) {
        log.info(
            "UPnP gateway supports only permanent leases (725): mapping with lease 0, kept by"
                + " presence checks");
        leaseSeconds = 0;
        answer = addMapping(port, 0);
        code = answer.get("errorCode");
      }
      if (SAME_PORT_REQUIRED.equals(code) && port != internalPort) {
        samePortRequired = true;
        log.info(
            "UPnP gateway maps external port {} only to the same internal port (724): moving"
                + " WireGuard from UDP {} to {}",
            port,
            internalPort,
            port);
        if (!moveListenPort(port)) {
          lastError = "UPnP error 724 and WireGuard cannot listen on UDP " + port;
          continue;
        }
        answer = addMapping(port, leaseSeconds);
        code = answer.get("errorCode");
      }
      if (code == null) {
        mapped(port);
        return null;
      }
      lastError = "UPnP error " + code + " " + answer.getOrDefault("errorDescription", "");
      if (!CONFLICT.equals(code)) {
        return lastError.trim();
      }
      log.warn("UPnP external port {} belongs to another host (718); trying another", port);
    }
    return lastError == null ? null : lastError.trim();
  }

  private boolean moveListenPort(int port) {
    boolean moved;
    try {
      moved = mover.moveTo(port);
    } catch (RuntimeException e) {
      log.warn("moving WireGuard to UDP {} failed: {}", port, e.getMessage());
      moved = false;
    }
    if (moved) {
      log.info("WireGuard now listens on UDP {} (was {})", port, internalPort);
      internalPort = port;
    }
    return moved;
  }

  private void mapped(int port) {
    if (externalPort != null && !externalPort.equals(port)) {
      log.info("UPnP external port moved from {} to {}", externalPort, port);
    }
    boolean first = lastRefresh == null;
    if (samePortRequired && (first || externalPort == null || externalPort != port)) {
      new UpnpPorts(port, internalPort).save(config);
    }
    externalPort = port;
    lastRefresh = clock.instant();
    lastConfirmed = lastRefresh;
    nextCheck = lastRefresh.plus(config.upnpCheckInterval());
    readExternalIp();
    if (first) {
      log.info(
          "UPnP mapping UDP {}:{} -> {}:{} lease {} s on {}",
          externalIp,
          port,
          gateway.getLocalAddress().getHostAddress(),
          internalPort,
          leaseSeconds,
          gateway.getFriendlyName());
    } else {
      log.debug("UPnP mapping on port {} renewed", port);
    }
  }

  private Map<String, String> addMapping(int port, long lease) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("NewRemoteHost", "");
    args.put("NewExternalPort", String.valueOf(port));
    args.put("NewProtocol", "UDP");
    args.put("NewInternalPort", String.valueOf(internalPort));
    args.put("NewInternalClient", gateway.getLocalAddress().getHostAddress());
    args.put("NewEnabled", "1");
    args.put("NewPortMappingDescription", config.upnpDescription());
    args.put("NewLeaseDuration", String.valueOf(lease));
    return soap("AddPortMapping", args);
  }

  /** A SOAP action on the gateway's WAN service, every argument XML-escaped. */
  private Map<String, String> soap(String action, Map<String, String> args) throws Exception {
    Map<String, String> escaped = new LinkedHashMap<>();
    args.forEach((k, v) -> escaped.put(k, xmlEscape(v)));
    return GatewayDevice.simpleUPnPcommand(
        gateway.getControlURL(), gateway.getServiceType(), action, escaped);
  }

  static String xmlEscape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  private Snapshot publish(String status, String error) {
    snapshot =
        new Snapshot(
            status,
            externalIp,
            externalPort,
            gateway == null ? null : gateway.getFriendlyName(),
            gateway == null ? null : gateway.getLocalAddress().getHostAddress(),
            lastRefresh,
            leaseSeconds,
            error,
            lostAt,
            gateway == null ? null : gateway.getControlURL(),
            internalPort);
    return snapshot;
  }

  static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
