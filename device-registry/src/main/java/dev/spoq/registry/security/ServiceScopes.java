package dev.spoq.registry.security;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.config.RegistryProperties;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Which internal operations each service token may call, and which audit actions it may record.
 * Built-in defaults give each known service only what it uses; {@code
 * spoq.security.service-scopes.<name>} overrides them ({@code *} = all). Names compare without
 * punctuation, so {@code dns-api} and the env-var form {@code dnsapi} are the same service.
 */
@Component
public class ServiceScopes {

  private static final Map<String, Set<ServiceScope>> DEFAULTS =
      Map.of(
          "dnsapi",
          EnumSet.of(
              ServiceScope.INTROSPECT_DEVICE_TOKEN,
              ServiceScope.INTROSPECT_API_KEY,
              ServiceScope.READ_JETSON,
              ServiceScope.WRITE_AUDIT,
              ServiceScope.READ_REVOCATIONS),
          "relaycoordinator",
          EnumSet.of(
              ServiceScope.INTROSPECT_DEVICE_TOKEN,
              ServiceScope.INTROSPECT_API_KEY,
              ServiceScope.READ_JETSON,
              ServiceScope.READ_JETSON_STATUS,
              ServiceScope.WRITE_AUDIT,
              ServiceScope.READ_REVOCATIONS),
          "jumprouter",
          EnumSet.of(
              ServiceScope.INTROSPECT_API_KEY,
              ServiceScope.READ_SSH_KEYS,
              ServiceScope.READ_CONTAINER_ROUTE,
              ServiceScope.WRITE_AUDIT,
              ServiceScope.READ_REVOCATIONS));

  /** Audit action namespaces each service may write (besides {@code auth.*}). */
  private static final Map<String, List<String>> ACTION_PREFIXES =
      Map.of(
          "dnsapi", List.of("dns."),
          "relaycoordinator", List.of("relay.", "frp.", "connect.", "usage."),
          "jumprouter", List.of("ssh."));

  private final Map<String, Set<ServiceScope>> scopes = new HashMap<>();
  private final Access access;

  ServiceScopes(RegistryProperties properties, Access access) {
    this.access = access;
    DEFAULTS.forEach(scopes::put);
    properties
        .security()
        .serviceScopes()
        .forEach((service, list) -> scopes.put(key(service), parse(list)));
  }

  /** Whether {@code service} may call {@code scope}. */
  public boolean permits(String service, ServiceScope scope) {
    return scopes.getOrDefault(key(service), Set.of()).contains(scope);
  }

  /** Refuses (403, audited) a service token outside its scope. */
  public void require(ServiceCaller caller, ServiceScope scope) {
    if (!permits(caller.service(), scope)) {
      access.deny(caller, "internal." + scope.name().toLowerCase(Locale.ROOT), "scope");
      throw ApiProblemException.forbidden("This service credential may not call this operation.");
    }
  }

  /**
   * Whether {@code service} may record an audit event with this action and actor: {@code auth.*}
   * for every service with WRITE_AUDIT, otherwise only its own namespace ({@code *} scope: any);
   * never in another service's name.
   */
  public boolean mayRecord(String service, String action, String actor) {
    if (!permits(service, ServiceScope.WRITE_AUDIT)) {
      return false;
    }
    if (actor.startsWith("service:") && !key(actor.substring(8)).equals(key(service))) {
      return false;
    }
    if (action.startsWith("auth.")) {
      return true;
    }
    List<String> prefixes = ACTION_PREFIXES.get(key(service));
    if (prefixes == null) {
      return scopes.get(key(service)).size() == ServiceScope.values().length;
    }
    return prefixes.stream().anyMatch(action::startsWith);
  }

  static String key(String service) {
    return service.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  private static Set<ServiceScope> parse(List<String> names) {
    Set<ServiceScope> set = EnumSet.noneOf(ServiceScope.class);
    for (String raw : names) {
      for (String name : raw.split(",")) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        if (n.equals("*")) {
          return EnumSet.allOf(ServiceScope.class);
        }
        if (!n.isEmpty()) {
          set.add(ServiceScope.valueOf(n));
        }
      }
    }
    return set;
  }
}
