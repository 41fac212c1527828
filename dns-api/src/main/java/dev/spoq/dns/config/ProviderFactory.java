package dev.spoq.dns.config;

import dev.spoq.dns.provider.ConfiguredProvider;
import dev.spoq.dns.provider.cloudflare.CloudflareClient;
import dev.spoq.dns.provider.cloudflare.CloudflareProvider;
import dev.spoq.dns.provider.rfc2136.Rfc2136Provider;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the provider named by {@code spoq.dns.provider}, failing fast on missing settings. */
public final class ProviderFactory {

  private static final Logger log = LoggerFactory.getLogger(ProviderFactory.class);

  private ProviderFactory() {}

  public static ConfiguredProvider create(DnsProperties properties, String domain, Clock clock) {
    return switch (properties.provider()) {
      case NONE -> {
        log.warn(
            "No DNS provider is configured (spoq.dns.provider=none): updates are stored and stay"
                + " 'pending'; set spoq.dns.provider to cloudflare or rfc2136 to publish them");
        yield ConfiguredProvider.notConfigured();
      }
      case CLOUDFLARE -> {
        DnsProperties.Cloudflare cf = properties.cloudflare();
        require(cf.apiToken(), "spoq.dns.cloudflare.api-token (SPOQ_DNS_CLOUDFLARE_APITOKEN)");
        String zone = orDefault(cf.zoneName(), domain);
        CloudflareClient client =
            new CloudflareClient(
                cf.baseUrl(), cf.apiToken(), cf.connectTimeout(), cf.readTimeout(), clock);
        log.info("DNS provider: Cloudflare API at {} for zone {}", cf.baseUrl(), zone);
        yield ConfiguredProvider.of(new CloudflareProvider(client, zone));
      }
      case RFC2136 -> {
        DnsProperties.Rfc2136 r = properties.rfc2136();
        require(r.server(), "spoq.dns.rfc2136.server (SPOQ_DNS_RFC2136_SERVER)");
        require(r.keyName(), "spoq.dns.rfc2136.key-name (SPOQ_DNS_RFC2136_KEYNAME)");
        require(r.keySecret(), "spoq.dns.rfc2136.key-secret (SPOQ_DNS_RFC2136_KEYSECRET)");
        String zone = orDefault(r.zone(), domain);
        log.info(
            "DNS provider: RFC 2136 updates to {}:{} for zone {} signed with TSIG key {} ({})",
            r.server(),
            r.port(),
            zone,
            r.keyName(),
            r.keyAlgorithm());
        yield ConfiguredProvider.of(
            new Rfc2136Provider(
                new InetSocketAddress(r.server(), r.port()),
                zone,
                r.keyName(),
                r.keyAlgorithm(),
                r.keySecret(),
                r.timeout()));
      }
    };
  }

  private static void require(String value, String setting) {
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("DNS provider setting missing: " + setting);
    }
  }

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim().toLowerCase();
  }
}
