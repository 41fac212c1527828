package dev.spoq.common.registry;

import dev.spoq.common.token.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Authenticates bearer credentials (Jetson device tokens, web-app API keys) through the registry's
 * introspection, with a short cache keyed by the token's hash. A revoked credential stops working
 * once its cache entry expires ({@code ttl}, keep it well under 60 s). If the registry cannot be
 * reached the credential is refused (fail closed) unless a fresh cached answer exists.
 */
public class CachingRegistryAuthenticator {

  private static final int MAX_ENTRIES = 50_000;

  private final RegistryClient registry;
  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Entry<DeviceTokenIntrospection>> devices = new ConcurrentHashMap<>();
  private final Map<String, Entry<ApiKeyIntrospection>> apiKeys = new ConcurrentHashMap<>();

  private record Entry<T>(T value, Instant expires) {}

  public CachingRegistryAuthenticator(RegistryClient registry, Duration ttl, Clock clock) {
    this.registry = registry;
    this.ttl = ttl;
    this.clock = clock;
  }

  /** The Jetson an active device token belongs to; empty for anything else. */
  public Optional<DeviceTokenIntrospection> device(String token) {
    if (!Tokens.looksValid(token)) {
      return Optional.empty();
    }
    DeviceTokenIntrospection answer = cached(devices, token, registry::introspectDeviceToken);
    return answer.active() ? Optional.of(answer) : Optional.empty();
  }

  /** What an active API key may do; empty for anything else. */
  public Optional<ApiKeyIntrospection> apiKey(String key) {
    if (!Tokens.looksValid(key)) {
      return Optional.empty();
    }
    ApiKeyIntrospection answer = cached(apiKeys, key, registry::introspectApiKey);
    return answer.active() ? Optional.of(answer) : Optional.empty();
  }

  /** Forgets every cached answer (tests, or after a known revocation). */
  public void clear() {
    devices.clear();
    apiKeys.clear();
  }

  private <T> T cached(Map<String, Entry<T>> cache, String secret, Function<String, T> lookup) {
    String key = Tokens.hash(secret);
    Instant now = clock.instant();
    Entry<T> entry = cache.get(key);
    if (entry != null && entry.expires().isAfter(now)) {
      return entry.value();
    }
    T value = lookup.apply(secret);
    if (cache.size() >= MAX_ENTRIES) {
      cache.entrySet().removeIf(e -> !e.getValue().expires().isAfter(now));
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
    }
    cache.put(key, new Entry<>(value, now.plus(ttl)));
    return value;
  }
}
