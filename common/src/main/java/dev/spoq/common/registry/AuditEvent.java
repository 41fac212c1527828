package dev.spoq.common.registry;

import java.util.Map;

/**
 * Body of {@code POST /internal/v1/audit-events}.
 *
 * @param actor who acted, e.g. {@code user:alice} or {@code service:jump-router}
 * @param action dotted verb, e.g. {@code ssh.forward.denied}
 * @param target what was acted on, e.g. {@code container-bob:22}
 * @param outcome {@code SUCCESS}, {@code FAILURE} or {@code DENIED}
 * @param details small flat map of extra facts (fingerprints, byte counts); no secrets
 */
public record AuditEvent(
    String actor,
    String action,
    String target,
    String sourceIp,
    String outcome,
    Map<String, Object> details) {}
