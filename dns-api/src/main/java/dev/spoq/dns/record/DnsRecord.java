package dev.spoq.dns.record;

import dev.spoq.dns.provider.RecordType;
import java.time.Instant;
import java.util.UUID;

/** One row of {@code dns_record}: what a Jetson's name should point to and what is applied. */
public record DnsRecord(
    String subdomain,
    RecordType type,
    String fqdn,
    UUID jetsonId,
    UUID accountId,
    String desiredIp,
    String appliedIp,
    long version,
    State state,
    Instant lastUpdate,
    Instant lastAppliedAt,
    Instant lastVerifiedAt,
    int attempts,
    Instant nextAttemptAt,
    String lastError,
    PublishPath path,
    PublishPath appliedPath) {

  public enum State {
    PENDING,
    APPLIED,
    /** The Jetson was revoked: the record is being removed from the provider. */
    REMOVING
  }
}
