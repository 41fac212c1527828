package dev.spoq.jump.auth;

import dev.spoq.common.registry.AccountSshKeys;
import dev.spoq.common.registry.ContainerRoute;
import dev.spoq.common.registry.RegistryClient;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry answers the router needs (a user's active SSH keys, her container route), each
 * reused for a short TTL. A revoked key therefore stops working at most one TTL later. Errors
 * propagate as {@code RegistryUnavailableException} (fail closed); unknown users are cached as
 * empty answers too.
 */
public class RegistryLookups {

  /** Spoq usernames are DNS labels (they double as subdomains). */
  private static final Pattern USERNAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

  private static final Logger log = LoggerFactory.getLogger(RegistryLookups.class);
  private static final int MAX_ENTRIES = 20_000;

  private final RegistryClient registry;
  private final Duration keyTtl;
  private final Duration routeTtl;
  private final Clock clock;
  private final Map<String, Entry<List<PublicKey>>> keys = new ConcurrentHashMap<>();
  private final Map<String, Entry<Optional<ContainerRoute>>> routes = new ConcurrentHashMap<>();

  private record Entry<T>(T value, Instant expires) {}

  public RegistryLookups(RegistryClient registry, Duration keyTtl, Duration routeTtl, Clock clock) {
    this.registry = registry;
    this.keyTtl = keyTtl;
    this.routeTtl = routeTtl;
    this.clock = clock;
  }

  public static boolean isValidUsername(String username) {
    return username != null && USERNAME.matcher(username).matches();
  }

  /** The user's active keys (empty for an unknown user or an invalid name). */
  public List<PublicKey> keys(String username) {
    if (!isValidUsername(username)) {
      return List.of();
    }
    return cached(keys, username, keyTtl, this::fetchKeys);
  }

  /** The user's container route, if she has one. */
  public Optional<ContainerRoute> route(String username) {
    if (!isValidUsername(username)) {
      return Optional.empty();
    }
    return cached(routes, username, routeTtl, registry::containerRoute);
  }

  /** Forgets everything cached (tests). */
  public void clear() {
    keys.clear();
    routes.clear();
  }

  private List<PublicKey> fetchKeys(String username) {
    Optional<AccountSshKeys> answer = registry.sshKeys(username);
    if (answer.isEmpty() || answer.get().keys() == null) {
      return List.of();
    }
    List<PublicKey> result = new ArrayList<>();
    for (AccountSshKeys.Key key : answer.get().keys()) {
      try {
        PublicKey parsed =
            AuthorizedKeyEntry.parseAuthorizedKeyEntry(key.publicKey())
                .resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        if (parsed != null) {
          result.add(parsed);
        }
      } catch (Exception e) {
        log.warn("ignoring unparsable SSH key {} of {}: {}", key.id(), username, e.getMessage());
      }
    }
    return List.copyOf(result);
  }

  private <T> T cached(
      Map<String, Entry<T>> cache, String key, Duration ttl, Function<String, T> lookup) {
    Instant now = clock.instant();
    Entry<T> entry = cache.get(key);
    if (entry != null && entry.expires().isAfter(now)) {
      return entry.value();
    }
    T value = lookup.apply(key);
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
