package dev.spoq.relay.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything the relay coordinator reads from configuration under {@code spoq.*}. Every value has a
 * default, so the service starts with only the shared settings (datasource, registry) given.
 *
 * @param domain the product domain; a Jetson's direct endpoint is {@code <subdomain>.<domain>}
 * @param registry where the device registry is and this service's credential there
 * @param relay the relay fleet's settings
 * @param limits request body cap
 */
@ConfigurationProperties("spoq")
public record RelayProperties(String domain, Registry registry, Relay relay, Limits limits) {

  public RelayProperties {
    domain = blank(domain) ? "spoq.dev" : domain.trim();
    registry = registry == null ? new Registry(null, null, null, null) : registry;
    relay = relay == null ? Relay.defaults() : relay;
    limits = limits == null ? new Limits(65536) : limits;
  }

  /**
   * @param baseUrl the registry's base URL
   * @param serviceToken this service's bearer credential at the registry
   * @param timeout per-request timeout towards the registry
   * @param authCacheTtl how long an introspection answer (device token, API key) is trusted
   */
  public record Registry(
      String baseUrl, String serviceToken, Duration timeout, Duration authCacheTtl) {
    public Registry {
      baseUrl = blank(baseUrl) ? "http://localhost:8081" : baseUrl.trim();
      serviceToken = serviceToken == null ? "" : serviceToken.trim();
      timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
      authCacheTtl = authCacheTtl == null ? Duration.ofSeconds(15) : authCacheTtl;
    }
  }

  /**
   * @param pluginSecret secret path segment of the frps plugin endpoint; empty = random per start
   * @param frpsAuthToken the fleet-wide frps {@code auth.token}; empty = random per start
   * @param credentialKey HMAC key the per-Jetson relay credentials derive from; empty = random
   * @param defaultRegion region preferred when a Jetson reported no latency
   */
  public record Relay(
      String pluginSecret,
      String frpsAuthToken,
      String credentialKey,
      String defaultRegion,
      Assignment assignment,
      Health health,
      Usage usage,
      Plugin plugin,
      Connect connect,
      Scaling scaling,
      Frpc frpc,
      AdminUrl adminUrl,
      Spoq spoq) {
    public Relay {
      pluginSecret = pluginSecret == null ? "" : pluginSecret.trim();
      frpsAuthToken = frpsAuthToken == null ? "" : frpsAuthToken.trim();
      credentialKey = credentialKey == null ? "" : credentialKey.trim();
      defaultRegion = blank(defaultRegion) ? "us" : defaultRegion.trim();
      assignment = assignment == null ? new Assignment(null, null, null) : assignment;
      health = health == null ? new Health(null, null, null, null) : health;
      usage = usage == null ? new Usage(null, null, null, null) : usage;
      plugin = plugin == null ? new Plugin(null, null) : plugin;
      connect = connect == null ? new Connect(null, null) : connect;
      scaling = scaling == null ? new Scaling(null) : scaling;
      frpc = frpc == null ? new Frpc(null, null, null, null, null, null) : frpc;
      adminUrl = adminUrl == null ? new AdminUrl(null) : adminUrl;
      spoq = spoq == null ? new Spoq(null, null, null, null) : spoq;
    }

    static Relay defaults() {
      return new Relay(
          null, null, null, null, null, null, null, null, null, null, null, null, null);
    }
  }

  /**
   * @param allowedRanges CIDR ranges an frps admin URL may point at (see AdminUrlPolicy)
   */
  public record AdminUrl(java.util.List<String> allowedRanges) {
    public AdminUrl {
      allowedRanges =
          allowedRanges == null || allowedRanges.isEmpty()
              ? java.util.List.of(
                  "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
              : java.util.List.copyOf(allowedRanges);
    }
  }

  /**
   * relay-server (kind spoq) settings.
   *
   * @param reportTimeout a spoq relay is DOWN when no report arrived for this long
   * @param maxWaiters long-polls of Jetson sets held at once by this instance (more answer 503)
   * @param watchInterval how often the held long-polls compare their set with the database
   * @param maxReportBytes body cap of the report and Jetson-set endpoints
   */
  public record Spoq(
      Duration reportTimeout, Integer maxWaiters, Duration watchInterval, Long maxReportBytes) {
    public Spoq {
      reportTimeout = reportTimeout == null ? Duration.ofSeconds(30) : reportTimeout;
      maxWaiters = maxWaiters == null || maxWaiters < 1 ? 10_000 : maxWaiters;
      watchInterval = watchInterval == null ? Duration.ofSeconds(1) : watchInterval;
      maxReportBytes =
          maxReportBytes == null || maxReportBytes < 1 ? 8L * 1024 * 1024 : maxReportBytes;
    }
  }

  /**
   * Stickiness: a Jetson moves to a relay in another region only when that region's RTT is lower by
   * at least {@code muchBetterMarginMs} AND at most {@code muchBetterRatio} times the current
   * region's RTT.
   */
  public record Assignment(
      Double muchBetterMarginMs, Double muchBetterRatio, Duration latencyMaxAge) {
    public Assignment {
      muchBetterMarginMs = muchBetterMarginMs == null ? 50.0 : muchBetterMarginMs;
      muchBetterRatio = muchBetterRatio == null ? 0.7 : muchBetterRatio;
      latencyMaxAge = latencyMaxAge == null ? Duration.ofDays(7) : latencyMaxAge;
    }
  }

  /**
   * Health polling of each frps admin API ({@code /healthz}, {@code /api/serverinfo}).
   *
   * @param failureThreshold consecutive failed polls after which a relay is DOWN
   */
  public record Health(
      Boolean enabled, Duration interval, Duration timeout, Integer failureThreshold) {
    public Health {
      enabled = enabled == null || enabled;
      interval = interval == null ? Duration.ofSeconds(15) : interval;
      timeout = timeout == null ? Duration.ofSeconds(3) : timeout;
      failureThreshold = failureThreshold == null || failureThreshold < 1 ? 3 : failureThreshold;
    }
  }

  /** Scraping of each frps {@code /metrics}. */
  public record Usage(
      Boolean enabled, Duration interval, Duration timeout, Boolean perJetsonMetrics) {
    public Usage {
      enabled = enabled == null || enabled;
      interval = interval == null ? Duration.ofSeconds(60) : interval;
      timeout = timeout == null ? Duration.ofSeconds(5) : timeout;
      perJetsonMetrics = perJetsonMetrics == null || perJetsonMetrics;
    }
  }

  /**
   * @param revocationCacheTtl how long the registry's "Jetson not revoked" answer is trusted while
   *     the revocation feed is down
   * @param revocationCacheTtlPushed the same while the feed pushes revocations
   */
  public record Plugin(Duration revocationCacheTtl, Duration revocationCacheTtlPushed) {
    public Plugin {
      revocationCacheTtl = revocationCacheTtl == null ? Duration.ofSeconds(10) : revocationCacheTtl;
      revocationCacheTtlPushed =
          revocationCacheTtlPushed == null ? Duration.ofMinutes(5) : revocationCacheTtlPushed;
    }
  }

  /**
   * @param statusMaxAge an agent status report older than this does not vouch for direct
   * @param dnsApi where the connect answer reads the published DNS record (contract C6)
   */
  public record Connect(Duration statusMaxAge, DnsApi dnsApi) {
    public Connect {
      statusMaxAge = statusMaxAge == null ? Duration.ofMinutes(3) : statusMaxAge;
      dnsApi = dnsApi == null ? new DnsApi(null, null, null, null) : dnsApi;
    }
  }

  /**
   * dns-api's internal read {@code GET /internal/v1/dns/{subdomain}}. Without a base URL the
   * connect answer never offers direct (nothing vouches for the published address).
   *
   * @param baseUrl dns-api's base URL, e.g. {@code http://dns-api:8082}; empty = not configured
   * @param serviceToken this service's token at dns-api ({@code
   *     spoq.dns.service-tokens.relay-coordinator} there)
   * @param connectTimeout TCP connect timeout towards dns-api
   * @param timeout whole-request timeout towards dns-api
   */
  public record DnsApi(
      String baseUrl, String serviceToken, Duration connectTimeout, Duration timeout) {
    public DnsApi {
      baseUrl = baseUrl == null ? "" : baseUrl.trim();
      serviceToken = serviceToken == null ? "" : serviceToken.trim();
      connectTimeout = connectTimeout == null ? Duration.ofSeconds(1) : connectTimeout;
      timeout = timeout == null ? Duration.ofSeconds(2) : timeout;
    }

    public boolean configured() {
      return !baseUrl.isEmpty() && !serviceToken.isEmpty();
    }
  }

  /**
   * @param threshold utilisation (0..1) past which another relay is recommended
   */
  public record Scaling(Double threshold) {
    public Scaling {
      threshold = threshold == null ? 0.8 : threshold;
    }
  }

  /**
   * Values written into the generated frpc configuration.
   *
   * @param relayCaPem the relay CA certificate (PEM) frps certificates are signed by; when set,
   *     frpc verifies frps's TLS certificate against it (the agent writes it to {@code caFile})
   * @param caFile where the agent keeps that CA on the Jetson
   */
  public record Frpc(
      Integer adminPort,
      Integer heartbeatIntervalSeconds,
      Integer heartbeatTimeoutSeconds,
      Integer localPort,
      String relayCaPem,
      String caFile) {
    public Frpc {
      relayCaPem = relayCaPem == null ? "" : relayCaPem.strip();
      caFile = caFile == null || caFile.isBlank() ? "/var/lib/spoq/relay-ca.pem" : caFile.strip();
      if (!relayCaPem.isEmpty() && !relayCaPem.startsWith("-----BEGIN CERTIFICATE-----")) {
        throw new IllegalStateException(
            "spoq.relay.frpc.relay-ca-pem must be a PEM certificate (-----BEGIN CERTIFICATE-----)");
      }
      adminPort = adminPort == null ? 7400 : adminPort;
      heartbeatIntervalSeconds = heartbeatIntervalSeconds == null ? 30 : heartbeatIntervalSeconds;
      heartbeatTimeoutSeconds = heartbeatTimeoutSeconds == null ? 90 : heartbeatTimeoutSeconds;
      localPort = localPort == null ? 51820 : localPort;
    }
  }

  public record Limits(long maxBodyBytes) {
    public Limits {
      maxBodyBytes = maxBodyBytes <= 0 ? 65536 : maxBodyBytes;
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
