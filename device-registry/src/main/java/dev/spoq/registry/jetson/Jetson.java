package dev.spoq.registry.jetson;

import java.time.Instant;
import java.util.UUID;

/** A Jetson with the account facts most callers need alongside it. */
public record Jetson(
    UUID id,
    UUID accountId,
    String username,
    String subdomain,
    String hostname,
    String publicKey,
    long peerVersion,
    Instant createdAt,
    Instant revokedAt) {

  public boolean revoked() {
    return revokedAt != null;
  }
}
