package dev.spoq.registry.security;

import dev.spoq.common.token.Tokens;
import dev.spoq.registry.config.RegistryProperties;
import dev.spoq.registry.push.PgNotifications;
import dev.spoq.registry.push.RevocationLog;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Resolves bearer secrets to callers. Only SHA-256 hashes are compared: service tokens and the
 * bootstrap admin key are hashed once at startup, API keys and device tokens are looked up by hash.
 */
@Component
public class Credentials {

  public static final String DEVICE_TOKEN_PREFIX = "spoq_dev";
  public static final String ENROLLMENT_CODE_PREFIX = "spoq_enr";
  public static final String API_KEY_PREFIX = "spoq_key";

  private static final int MAX_CACHED_DEVICE_TOKENS = 200_000;

  /** An active device token's owner, cached by token hash (see {@link #deviceToken}). */
  private record DeviceOwner(
      UUID tokenId, UUID jetsonId, UUID accountId, String username, String subdomain) {}

  private final JdbcClient jdbc;
  private final PgNotifications notifications;
  private final Map<String, String> serviceByTokenHash = new HashMap<>();
  private final String bootstrapAdminKeyHash;
  private final Map<String, DeviceOwner> deviceTokens = new ConcurrentHashMap<>();
  // Bumped by every invalidation: an answer read across one is not cached (it may be stale).
  private final AtomicLong invalidations = new AtomicLong();

  private final boolean cacheEnabled;

  Credentials(
      JdbcClient jdbc,
      RegistryProperties properties,
      PgNotifications notifications,
      @Value("${spoq.push.local-caches:true}") boolean cacheEnabled) {
    this.jdbc = jdbc;
    this.notifications = notifications;
    this.cacheEnabled = cacheEnabled;
    // A revocation that may concern a device token, on any replica (or this one, right after its
    // commit), empties the cache; a phone's key, an API key or an SSH key being revoked does not.
    notifications.subscribeCache(
        PgNotifications.REVOCATIONS,
        payload -> {
          if (concernsDeviceTokens(payload)) {
            invalidations.incrementAndGet();
            deviceTokens.clear();
          }
        });
    properties
        .security()
        .serviceTokens()
        .forEach(
            (service, token) -> {
              if (token != null && !token.isBlank()) {
                serviceByTokenHash.put(Tokens.hash(token.trim()), service);
              }
            });
    String admin = properties.security().bootstrapAdminKey();
    this.bootstrapAdminKeyHash = admin.isEmpty() ? null : Tokens.hash(admin);
  }

  /**
   * Whether a revocation notification may invalidate a cached device token: a device token or a
   * whole Jetson revoked, or an announcement of unknown kind (empty payload, or null after the
   * LISTEN connection was lost).
   */
  static boolean concernsDeviceTokens(String payload) {
    if (payload == null || payload.isEmpty()) {
      return true;
    }
    return !(payload.equals(RevocationLog.Kind.DEVICE.name())
        || payload.equals(RevocationLog.Kind.API_KEY.name())
        || payload.equals(RevocationLog.Kind.SSH_KEY.name()));
  }

  public Optional<ServiceCaller> service(String token, String sourceIp) {
    String service = serviceByTokenHash.get(Tokens.hash(token));
    return Optional.ofNullable(service).map(s -> new ServiceCaller(s, sourceIp));
  }

  public Optional<ApiKeyCaller> apiKey(String key, String sourceIp) {
    if (key == null || key.length() > 200) {
      return Optional.empty();
    }
    String hash = Tokens.hash(key);
    // The bootstrap key may have any shape an operator chose.
    if (bootstrapAdminKeyHash != null && Tokens.constantTimeEquals(hash, bootstrapAdminKeyHash)) {
      return Optional.of(new ApiKeyCaller(null, ApiKeyScope.ADMIN, null, null, sourceIp));
    }
    if (!key.startsWith(API_KEY_PREFIX + "_") || !Tokens.looksValid(key)) {
      return Optional.empty();
    }
    return jdbc.sql(
            """
            SELECT k.id, k.scope, k.account_id, a.username
            FROM api_key k LEFT JOIN account a ON a.id = k.account_id
            WHERE k.key_hash = ? AND k.revoked_at IS NULL
            """)
        .param(hash)
        .query(
            (rs, n) ->
                new ApiKeyCaller(
                    rs.getObject("id", UUID.class),
                    ApiKeyScope.valueOf(rs.getString("scope")),
                    rs.getObject("account_id", UUID.class),
                    rs.getString("username"),
                    sourceIp))
        .optional();
  }

  /**
   * The Jetson an active device token belongs to. Active answers are cached while this replica
   * hears revocations (LISTEN connection up): every revocation empties the cache, on this replica
   * right after its commit, on the others when the notification arrives (milliseconds).
   */
  public Optional<DeviceCaller> deviceToken(String token, String sourceIp) {
    if (!Tokens.looksValid(token) || !token.startsWith(DEVICE_TOKEN_PREFIX + "_")) {
      return Optional.empty();
    }
    String hash = Tokens.hash(token);
    boolean trusted = cacheEnabled && notifications.connected();
    DeviceOwner cached = trusted ? deviceTokens.get(hash) : null;
    if (cached == null) {
      long generation = invalidations.get();
      Optional<DeviceOwner> owner = lookupDeviceToken(hash);
      if (owner.isEmpty()) {
        return Optional.empty();
      }
      cached = owner.get();
      if (trusted && invalidations.get() == generation) {
        if (deviceTokens.size() >= MAX_CACHED_DEVICE_TOKENS) {
          deviceTokens.clear();
        }
        deviceTokens.put(hash, cached);
      }
    }
    return Optional.of(
        new DeviceCaller(
            cached.tokenId(),
            cached.jetsonId(),
            cached.accountId(),
            cached.username(),
            cached.subdomain(),
            sourceIp));
  }

  private Optional<DeviceOwner> lookupDeviceToken(String hash) {
    return jdbc.sql(
            """
            SELECT t.id AS token_id, j.id AS jetson_id, a.id AS account_id, a.username, a.subdomain
            FROM device_token t
            JOIN jetson j ON j.id = t.jetson_id
            JOIN account a ON a.id = j.account_id
            WHERE t.token_hash = ? AND t.revoked_at IS NULL AND j.revoked_at IS NULL
            """)
        .param(hash)
        .query(
            (rs, n) ->
                new DeviceOwner(
                    rs.getObject("token_id", UUID.class),
                    rs.getObject("jetson_id", UUID.class),
                    rs.getObject("account_id", UUID.class),
                    rs.getString("username"),
                    rs.getString("subdomain")))
        .optional();
  }

  /** Any kind of credential, for endpoints several kinds may call. */
  public Optional<? extends Caller> any(String token, String sourceIp) {
    Optional<ServiceCaller> service = service(token, sourceIp);
    if (service.isPresent()) {
      return service;
    }
    Optional<ApiKeyCaller> key = apiKey(token, sourceIp);
    if (key.isPresent()) {
      return key;
    }
    return deviceToken(token, sourceIp);
  }
}
