package dev.spoq.dns.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Everything under {@code spoq.dns}. Every field has a default, so the service starts with only the
 * shared settings (datasource, registry URL and service token) given.
 *
 * @param provider which DNS provider applies records: {@code cloudflare}, {@code rfc2136} or {@code
 *     none} (records are stored and stay pending)
 * @param allowedExtraRanges CIDR ranges accepted although not public unicast (test environments)
 * @param trustedProxies CIDR ranges whose {@code X-Forwarded-For} is believed
 * @param revocation how revocations reach this service (the registry's feed, contract C4)
 * @param serviceTokens calling service name -> its bearer token for {@code /internal/**} (only
 *     {@code relay-coordinator} may read published records)
 * @param denialAuditWindow failed authentications and denials are audited once per action, source
 *     address and window, with a count
 */
@ConfigurationProperties("spoq.dns")
public record DnsProperties(
    @DefaultValue("none") ProviderKind provider,
    @DefaultValue List<String> allowedExtraRanges,
    @DefaultValue List<String> trustedProxies,
    @DefaultValue Revocation revocation,
    @DefaultValue Map<String, String> serviceTokens,
    @DefaultValue("60s") Duration denialAuditWindow,
    @DefaultValue Cloudflare cloudflare,
    @DefaultValue Rfc2136 rfc2136,
    @DefaultValue RateLimit rateLimit,
    @DefaultValue Reconcile reconcile,
    @DefaultValue Bootstrap bootstrap) {

  /** Service tokens are secrets: only their names are shown. */
  @Override
  public String toString() {
    return "DnsProperties[provider="
        + provider
        + ", serviceTokens="
        + serviceTokens.keySet()
        + ", cloudflare="
        + cloudflare
        + ", rfc2136="
        + rfc2136
        + "]";
  }

  public enum ProviderKind {
    CLOUDFLARE,
    RFC2136,
    NONE
  }

  /**
   * Cloudflare API v4.
   *
   * @param apiToken API token with Zone.DNS edit permission on the zone (never logged)
   * @param zoneName the zone; defaults to {@code spoq.domain}
   */
  public record Cloudflare(
      @DefaultValue("https://api.cloudflare.com/client/v4") String baseUrl,
      String apiToken,
      String zoneName,
      @DefaultValue("5s") Duration connectTimeout,
      @DefaultValue("10s") Duration readTimeout) {

    @Override
    public String toString() {
      return "Cloudflare[baseUrl=" + baseUrl + ", zoneName=" + zoneName + ", apiToken=***]";
    }
  }

  /**
   * RFC 2136 dynamic update, signed with TSIG.
   *
   * @param server primary server host or address
   * @param zone the zone; defaults to {@code spoq.domain}
   * @param keySecret base64 TSIG secret (never logged)
   */
  public record Rfc2136(
      String server,
      @DefaultValue("53") int port,
      String zone,
      String keyName,
      String keySecret,
      @DefaultValue("hmac-sha256") String keyAlgorithm,
      @DefaultValue("5s") Duration timeout) {

    @Override
    public String toString() {
      return "Rfc2136[server="
          + server
          + ", port="
          + port
          + ", zone="
          + zone
          + ", keyName="
          + keyName
          + ", keyAlgorithm="
          + keyAlgorithm
          + ", keySecret=***]";
    }
  }

  /**
   * The registry's revocation feed, long-polled by one thread per instance. While it answers,
   * introspection answers are cached for {@code healthyCacheTtl} and a revocation evicts them at
   * once; while it fails, for {@code fallbackCacheTtl} only (the revocation latency then).
   */
  public record Revocation(
      @DefaultValue("25s") Duration pollWait,
      @DefaultValue("30m") Duration healthyCacheTtl,
      @DefaultValue("2s") Duration fallbackCacheTtl,
      @DefaultValue("1s") Duration retry) {}

  /** Token buckets: {@code requests} per {@code window}, per device and per source address. */
  public record RateLimit(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("20") int deviceRequests,
      @DefaultValue("1m") Duration deviceWindow,
      @DefaultValue("60") int sourceIpRequests,
      @DefaultValue("1m") Duration sourceIpWindow) {}

  /**
   * The background reconciler.
   *
   * @param pollInterval how often pending records due for a retry are looked for
   * @param initialBackoff first retry delay; doubles per failed attempt up to {@code maxBackoff}
   * @param driftInterval how often applied records are compared with the provider
   * @param driftBatchSize records compared per drift sweep (oldest verification first)
   */
  public record Reconcile(
      @DefaultValue("1s") Duration pollInterval,
      @DefaultValue("2s") Duration initialBackoff,
      @DefaultValue("5m") Duration maxBackoff,
      @DefaultValue("5m") Duration driftInterval,
      @DefaultValue("200") int driftBatchSize,
      @DefaultValue("100") int batchSize) {}

  /**
   * The static records the bootstrap command ensures.
   *
   * @param webAddress IPv4 of the web server: apex {@code A} (www and api are CNAMEs to the apex)
   * @param sshAddress IPv4 of the SSH jump host: {@code ssh A}, never proxied
   * @param loadBalancer target of the proxied wildcard {@code *} CNAME; defaults to {@code
   *     lb.<domain>}
   * @param loadBalancerAddress optional IPv4 for {@code lb A} itself
   * @param proxyWeb whether the apex, www, api and wildcard records go through Cloudflare's proxy
   */
  public record Bootstrap(
      String webAddress,
      String sshAddress,
      String loadBalancer,
      String loadBalancerAddress,
      @DefaultValue("true") boolean proxyWeb) {}
}
