package dev.spoq.dns.provider;

import java.util.List;

/**
 * A DNS provider this service writes records to (Cloudflare, an RFC 2136 server). Calls are
 * blocking remote calls: never make them inside a database transaction.
 */
public interface DnsProvider {

  /** Short name for logs, metrics and answers: {@code cloudflare}, {@code rfc2136}. */
  String name();

  /** Whether records can be put behind an HTTP proxy (Cloudflare's orange cloud). */
  default boolean supportsProxy() {
    return false;
  }

  /** The zone records are written into, e.g. {@code spoq.dev}. */
  String zone();

  /**
   * Makes the provider serve exactly this record for its name and type (one value), creating it
   * when missing and replacing whatever other value is there.
   *
   * @throws ProviderException when the provider refused or could not be reached
   */
  void upsert(ProviderRecord record);

  /**
   * The records the provider has for a name and type now; empty when there are none.
   *
   * @throws ProviderException when the provider could not be asked
   */
  List<ProviderRecord> find(String fqdn, RecordType type);

  /** Removes every record of that name and type; nothing to remove is not an error. */
  void delete(String fqdn, RecordType type);
}
