package dev.spoq.common.registry;

import java.time.Instant;
import tools.jackson.databind.JsonNode;

/**
 * Answer of {@code GET /internal/v1/jetsons/{id}/status}: the agent's last report (the seed's
 * {@code GET /api/device/status} shape) and when the registry received it.
 */
public record JetsonStatus(Instant receivedAt, JsonNode report) {}
