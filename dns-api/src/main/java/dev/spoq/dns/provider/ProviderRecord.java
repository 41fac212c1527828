package dev.spoq.dns.provider;

import java.util.Locale;

/**
 * One record as a provider should serve it (or serves it now).
 *
 * @param fqdn fully qualified name without trailing dot, lower case ({@code alice.spoq.dev})
 * @param content an address for A/AAAA, a host name for CNAME
 * @param ttl seconds; {@code 1} means "automatic" (Cloudflare, required for proxied records)
 * @param proxied whether Cloudflare's proxy is in front (ignored by RFC 2136)
 */
public record ProviderRecord(
    String fqdn, RecordType type, String content, int ttl, boolean proxied) {

  /** TTL of every Jetson record: short, so IP changes reach resolvers within a minute. */
  public static final int JETSON_TTL = 60;

  public ProviderRecord {
    fqdn = normalize(fqdn);
    if (type == RecordType.CNAME) {
      content = normalize(content);
    }
  }

  /** A Jetson's address record: TTL 60, never proxied. */
  public static ProviderRecord jetson(String fqdn, RecordType type, String address) {
    return new ProviderRecord(fqdn, type, address, JETSON_TTL, false);
  }

  /** Whether the provider-side record already says what this one says. */
  public boolean sameAs(ProviderRecord other) {
    return other != null
        && fqdn.equals(other.fqdn)
        && type == other.type
        && content.equalsIgnoreCase(other.content)
        && proxied == other.proxied
        && (proxied || ttl == other.ttl);
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
