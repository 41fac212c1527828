package dev.spoq.dns.provider;

import java.util.Optional;

/**
 * The provider chosen by {@code spoq.dns.provider}, or none when it is {@code none}: then records
 * are stored and stay pending.
 */
public final class ConfiguredProvider {

  private final DnsProvider provider;

  private ConfiguredProvider(DnsProvider provider) {
    this.provider = provider;
  }

  public static ConfiguredProvider of(DnsProvider provider) {
    return new ConfiguredProvider(provider);
  }

  public static ConfiguredProvider notConfigured() {
    return new ConfiguredProvider(null);
  }

  public Optional<DnsProvider> get() {
    return Optional.ofNullable(provider);
  }

  public String name() {
    return provider == null ? "none" : provider.name();
  }
}
