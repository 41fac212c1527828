package dev.spoq.common.registry;

import java.time.Instant;
import java.util.UUID;

/**
 * One event of the registry's revocation feed ({@code GET /internal/v1/revocations}).
 *
 * @param kind {@code DEVICE_TOKEN}, {@code API_KEY}, {@code JETSON}, {@code DEVICE} or {@code
 *     SSH_KEY}
 * @param tokenHash SHA-256 hex of the revoked secret (device tokens, API keys), else null
 * @param jetsonId the Jetson concerned, or null
 * @param accountId the account concerned, or null
 * @param username the account's username, or null
 * @param at when it was revoked
 */
public record RevocationEvent(
    String kind, String tokenHash, UUID jetsonId, UUID accountId, String username, Instant at) {

  public static final String DEVICE_TOKEN = "DEVICE_TOKEN";
  public static final String API_KEY = "API_KEY";
  public static final String JETSON = "JETSON";
  public static final String DEVICE = "DEVICE";
  public static final String SSH_KEY = "SSH_KEY";
}
