package dev.spoq.common.registry;

import dev.spoq.common.token.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Authenticates bearer credentials (Jetson device tokens, web-app API keys) through the registry's
 * introspection, with a cache keyed by the token's hash. If the registry cannot be reached the
 * credential is refused (fail closed) unless a fresh cached answer exists.
 *
 * <p>How long an answer is kept: {@code ttl} from the constructor until a {@link RevocationFeed}
 * takes over, which evicts revoked credentials as they happen (within about a second) and switches
 * the TTL with {@link #useTtl}: long while the feed is healthy, short while it is failing. A
 * negative answer (unknown, revoked) is kept at most {@link #NEGATIVE_TTL}, so a burst of bad
 * tokens costs one registry call each per window, not one per request.
 *
 * <p>Each cache holds at most {@link #MAX_ENTRIES} answers (a fleet of 100,000 Jetsons fits twice).
 * When full, expired answers go first, then arbitrary ones down to 90 %: a flood of distinct tokens
 * costs the evicted credentials one more introspection each, never the whole cache.
 */
public class CachingRegistryAuthenticator {

  /** Upper bound for caching an inactive answer. */
  public static final Duration NEGATIVE_TTL = Duration.ofSeconds(5);

  static final int MAX_ENTRIES = 250_000;

  private final RegistryClient registry;
  private final Clock clock;
  private volatile Duration ttl;
  // Bumped by every eviction: an answer fetched across an eviction is not cached (it may be stale).
  private final AtomicLong evictions = new AtomicLong();
  private final Map<String, Entry<DeviceTokenIntrospection>> devices = new ConcurrentHashMap<>();
  private final Map<String, Entry<ApiKeyIntrospection>> apiKeys = new ConcurrentHashMap<>();

  record Entry<T>(T value, Instant expires) {}

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
    DeviceTokenIntrospection answer =
        cached(devices, token, registry::introspectDeviceToken, DeviceTokenIntrospection::active);
    return answer.active() ? Optional.of(answer) : Optional.empty();
  }

  /** What an active API key may do; empty for anything else. */
  public Optional<ApiKeyIntrospection> apiKey(String key) {
    if (!Tokens.looksValid(key)) {
      return Optional.empty();
    }
    ApiKeyIntrospection answer =
        cached(apiKeys, key, registry::introspectApiKey, ApiKeyIntrospection::active);
    return answer.active() ? Optional.of(answer) : Optional.empty();
  }

  /** Forgets every cached answer (tests, or after the revocation feed lost track). */
  public void clear() {
    evictions.incrementAndGet();
    devices.clear();
    apiKeys.clear();
  }

  /** The TTL for answers cached from now on; entries already cached keep their expiry. */
  public void useTtl(Duration newTtl) {
    this.ttl = newTtl;
  }

  public Duration ttl() {
    return ttl;
  }

  /** Forgets every cached answer a revocation concerns. */
  public void evict(RevocationEvent event) {
    evictions.incrementAndGet();
    if (event.tokenHash() != null) {
      devices.remove(event.tokenHash());
      apiKeys.remove(event.tokenHash());
    }
    if (event.jetsonId() != null
        && (RevocationEvent.JETSON.equals(event.kind())
            || RevocationEvent.DEVICE_TOKEN.equals(event.kind()))) {
      devices
          .values()
          .removeIf(e -> e.value().active() && event.jetsonId().equals(e.value().jetsonId()));
    }
  }

  private <T> T cached(
      Map<String, Entry<T>> cache, String secret, Function<String, T> lookup, Predicate<T> active) {
    String key = Tokens.hash(secret);
    Instant now = clock.instant();
    Entry<T> entry = cache.get(key);
    if (entry != null && entry.expires().isAfter(now)) {
      return entry.value();
    }
    long generation = evictions.get();
    T value = lookup.apply(secret);
    if (evictions.get() != generation) {
      return value;
    }
    makeRoom(cache, MAX_ENTRIES, now);
    Duration keep = ttl;
    if (!active.test(value) && keep.compareTo(NEGATIVE_TTL) > 0) {
      keep = NEGATIVE_TTL;
    }
    cache.put(key, new Entry<>(value, now.plus(keep)));
    return value;
  }

  /** Below {@code max} entries: drops expired answers, then arbitrary ones down to 90 % of it. */
  static <T> void makeRoom(Map<String, Entry<T>> cache, int max, Instant now) {
    if (cache.size() < max) {
      return;
    }
    cache.values().removeIf(e -> !e.expires().isAfter(now));
    Iterator<String> keys = cache.keySet().iterator();
    int target = max - max / 10;
    while (cache.size() > target && keys.hasNext()) {
      keys.next();
      keys.remove();
    }
  }
}
