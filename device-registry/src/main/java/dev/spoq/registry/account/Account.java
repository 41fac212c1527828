package dev.spoq.registry.account;

import java.time.Instant;
import java.util.UUID;

public record Account(
    UUID id, String username, String subdomain, Product product, Instant createdAt) {}
