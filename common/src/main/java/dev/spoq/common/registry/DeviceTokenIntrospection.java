package dev.spoq.common.registry;

import java.util.UUID;

/**
 * Answer of {@code POST /internal/v1/device-tokens/introspect}. Fields other than active are null
 * when inactive.
 */
public record DeviceTokenIntrospection(
    boolean active,
    UUID jetsonId,
    UUID accountId,
    String username,
    String subdomain,
    String fqdn) {}
