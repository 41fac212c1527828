package dev.spoq.relay.plugin;

import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.common.registry.RevocationFeed;
import dev.spoq.relay.config.RelayProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Whether a Jetson is revoked, per the registry ({@code GET /internal/v1/jetsons/{id}}), cached.
 * While the registry's revocation feed is healthy, revocations are pushed ({@link #markRevoked},
 * within about a second), so answers are kept for {@code
 * spoq.relay.plugin.revocation-cache-ttl-pushed} (5 min) and frps Pings are answered from memory;
 * when the feed is down the TTL falls back to {@code spoq.relay.plugin.revocation-cache-ttl} (10
 * s). Login and NewProxy fail closed when the registry cannot answer; Ping may use a stale "not
 * revoked" answer for up to {@value #STALE_MINUTES} minutes, so a short registry outage does not
 * drop every relayed session.
 */
@Component
class RevocationCache {

  static final int STALE_MINUTES = 5;
  private static final int MAX_ENTRIES = 100_000;

  enum Verdict {
    ACTIVE,
    REVOKED,
    UNKNOWN,
    UNAVAILABLE
  }

  private record Entry(Verdict verdict, Instant fetched) {}

  private final RegistryClient registry;
  private final Duration ttl;
  private final Duration pushedTtl;
  private final RevocationFeed feed;
  private final Clock clock;
  private final Map<UUID, Entry> cache = new ConcurrentHashMap<>();

  RevocationCache(
      RegistryClient registry, RelayProperties properties, RevocationFeed feed, Clock clock) {
    this.registry = registry;
    this.ttl = properties.relay().plugin().revocationCacheTtl();
    this.pushedTtl = properties.relay().plugin().revocationCacheTtlPushed();
    this.feed = feed;
    this.clock = clock;
  }

  Verdict check(UUID jetsonId, boolean allowStale) {
    Instant now = clock.instant();
    Entry entry = cache.get(jetsonId);
    Duration currentTtl = feed.healthy() ? pushedTtl : ttl;
    if (entry != null
        && (entry.verdict() == Verdict.REVOKED || entry.fetched().plus(currentTtl).isAfter(now))) {
      return entry.verdict();
    }
    try {
      Optional<JetsonSummary> summary = registry.jetson(jetsonId);
      Verdict verdict =
          summary.map(s -> s.revoked() ? Verdict.REVOKED : Verdict.ACTIVE).orElse(Verdict.UNKNOWN);
      if (cache.size() >= MAX_ENTRIES) {
        cache.clear();
      }
      cache.put(jetsonId, new Entry(verdict, now));
      return verdict;
    } catch (RegistryUnavailableException e) {
      if (allowStale
          && entry != null
          && entry.verdict() == Verdict.ACTIVE
          && entry.fetched().plus(Duration.ofMinutes(STALE_MINUTES)).isAfter(now)) {
        return Verdict.ACTIVE;
      }
      return Verdict.UNAVAILABLE;
    }
  }

  /** A pushed revocation: refused from now on without asking the registry. */
  void markRevoked(UUID jetsonId) {
    cache.put(jetsonId, new Entry(Verdict.REVOKED, clock.instant()));
  }

  void forget(UUID jetsonId) {
    cache.remove(jetsonId);
  }

  void clear() {
    cache.clear();
  }
}
