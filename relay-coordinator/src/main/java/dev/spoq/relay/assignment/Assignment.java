package dev.spoq.relay.assignment;

import java.time.Instant;
import java.util.UUID;

/** A Jetson's relay and remote UDP port (null on a spoq relay), as stored. */
public record Assignment(
    UUID jetsonId,
    String relayId,
    Integer remotePort,
    String reason,
    Instant assignedAt,
    boolean proxyOpen,
    Instant lastLoginAt,
    Instant lastProxyAt,
    Instant lastClosedAt) {}
