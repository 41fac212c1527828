package dev.spoq.agent.ddns;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.publicip.DnsLookup;
import dev.spoq.agent.registry.ControlPlaneException;
import dev.spoq.agent.registry.HttpJson;
import dev.spoq.agent.util.Json;
import dev.spoq.agent.util.SecureFiles;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;

/**
 * Keeps {@code <subdomain>.spoq.dev} pointing at the working path through dns-api (contract C5):
 * the home address while the direct path is healthy, the relay's address (path {@code relay}) while
 * the agent runs on its relay-server session; home-address changes are not published while on the
 * relay. Calls dns-api only when the address or path differs from the last one it accepted
 * (persisted), retrying failures with exponential backoff; checks what the name really resolves to
 * and reports a mismatch.
 */
public class DdnsClient {

  private static final Logger log = LoggerFactory.getLogger(DdnsClient.class);

  public record Published(
      @JsonProperty("ip") String ip,
      @JsonProperty("last_update") Instant lastUpdate,
      @JsonProperty("path") String path) {

    String pathOrDirect() {
      return path == null ? DIRECT : path;
    }
  }

  public static final String DIRECT = "direct";
  public static final String RELAY = "relay";

  public record Snapshot(
      String subdomain,
      String pointsTo,
      Instant lastUpdate,
      List<String> resolvesTo,
      Boolean matches,
      String pending,
      String error,
      int updates,
      String path) {}

  private final AgentConfig config;
  private final String subdomain;
  private final String fqdn;
  private final String token;
  private final Clock clock;
  private final HttpJson http;
  private Published published;
  private String homeIp;
  private String relayIp;
  private Instant nextAttempt = Instant.MIN;
  private Duration backoff;
  private String error;
  private List<String> resolvesTo = List.of();
  private Boolean matches;
  private int updates;

  public DdnsClient(AgentConfig config, String subdomain, String fqdn, String token, Clock clock) {
    this.config = config;
    this.subdomain = subdomain;
    this.fqdn = fqdn;
    this.token = token;
    this.clock = clock;
    this.http = new HttpJson("dns-api", config.httpTimeout());
    this.backoff = config.dnsRetryInitial();
    this.published = loadPublished();
  }

  /** Called with each observation of the public IP; updates dns-api when it changed. */
  public synchronized void onPublicIp(String ip) {
    if (ip == null) {
      return;
    }
    if (!ip.equals(homeIp) && relayIp == null) {
      nextAttempt = Instant.MIN;
    }
    homeIp = ip;
    attemptIfDue();
  }

  /**
   * Points the name at the relay's address while the session runs through it; {@code null} points
   * it back at the home address.
   */
  public synchronized void followRelay(String relayAddress) {
    if (java.util.Objects.equals(relayAddress, relayIp)) {
      return;
    }
    relayIp = relayAddress;
    nextAttempt = Instant.MIN;
    backoff = config.dnsRetryInitial();
    attemptIfDue();
  }

  private String wanted() {
    return relayIp != null ? relayIp : homeIp;
  }

  private String wantedPath() {
    return relayIp != null ? RELAY : DIRECT;
  }

  private boolean upToDate() {
    return published != null
        && wanted().equals(published.ip())
        && wantedPath().equals(published.pathOrDirect());
  }

  /** Retries a pending update whose backoff has expired. */
  public synchronized void attemptIfDue() {
    String wanted = wanted();
    String path = wantedPath();
    if (wanted == null || upToDate()) {
      return;
    }
    if (clock.instant().isBefore(nextAttempt)) {
      return;
    }
    try {
      http.send(
          "POST",
          URI.create(config.dnsUrl() + "/api/dns/update"),
          token,
          RELAY.equals(path)
              ? Map.of("subdomain", subdomain, "ip", wanted, "path", path)
              : Map.of("subdomain", subdomain, "ip", wanted),
          Map.of());
      published = new Published(wanted, clock.instant(), path);
      SecureFiles.write(config.dnsStateFile(), Json.MAPPER.writeValueAsString(published), false);
      updates++;
      error = null;
      backoff = config.dnsRetryInitial();
      nextAttempt = Instant.MIN;
      log.info("DNS {} now points to {} ({} path)", fqdn, wanted, path);
    } catch (ControlPlaneException e) {
      error = e.getMessage();
      if (!e.transientFailure() && e.status() != 401 && e.status() != 403) {
        log.warn("DNS update for {} to {} rejected: {}", fqdn, wanted, e.getMessage());
      } else {
        log.warn(
            "DNS update for {} to {} failed ({}); retrying in {} s",
            fqdn,
            wanted,
            e.getMessage(),
            backoff.toSeconds());
      }
      nextAttempt = clock.instant().plus(backoff);
      backoff = backoff.multipliedBy(2);
      if (backoff.compareTo(config.dnsRetryMax()) > 0) {
        backoff = config.dnsRetryMax();
      }
    }
  }

  /**
   * Resolves the name and compares it with the published address. The lookup runs outside the lock,
   * so the status API never waits for a slow resolver.
   */
  public void checkResolution() {
    List<String> resolved;
    String failure = null;
    try {
      resolved = DnsLookup.resolveA(fqdn, config.dnsResolver(), config.publicIpTimeout());
    } catch (Exception e) {
      resolved = List.of();
      failure = e.getMessage();
    }
    String expected;
    boolean ok;
    synchronized (this) {
      resolvesTo = resolved;
      expected = published == null ? wanted() : published.ip();
      ok = failure == null && expected != null && resolved.contains(expected);
      matches = ok;
    }
    if (failure != null) {
      log.warn("cannot resolve {}: {}", fqdn, failure);
    } else if (!ok) {
      log.warn("DNS {} resolves to {}, expected {}", fqdn, resolved, expected);
    }
  }

  public synchronized Snapshot snapshot() {
    boolean pending = wanted() != null && !upToDate();
    return new Snapshot(
        fqdn,
        published == null ? null : published.ip(),
        published == null ? null : published.lastUpdate(),
        resolvesTo,
        matches,
        pending ? wanted() : null,
        error,
        updates,
        published == null ? null : published.pathOrDirect());
  }

  private Published loadPublished() {
    if (!Files.exists(config.dnsStateFile())) {
      return null;
    }
    try {
      return Json.MAPPER.readValue(config.dnsStateFile().toFile(), Published.class);
    } catch (JacksonException e) {
      log.warn(
          "DNS state {} is corrupt ({}); the next public IP will be sent to dns-api once",
          config.dnsStateFile(),
          e.getOriginalMessage());
      return null;
    }
  }
}
