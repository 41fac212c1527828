package dev.spoq.common.registry;

import java.util.UUID;

/** Answer of {@code GET /internal/v1/jetsons/{id}} and {@code /by-subdomain/{subdomain}}. */
public record JetsonSummary(
    UUID jetsonId,
    UUID accountId,
    String username,
    String subdomain,
    String fqdn,
    String publicKey,
    boolean revoked) {}
