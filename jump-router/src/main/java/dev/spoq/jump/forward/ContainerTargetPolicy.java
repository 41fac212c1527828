package dev.spoq.jump.forward;

import dev.spoq.common.registry.ContainerRoute;
import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.jump.auth.RegistryLookups;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The only place a user may tunnel to: her own container, asked for by name {@code
 * container-<username>} (case-insensitive) on port 22 or the port of her route. The name is
 * resolved through the registry route, never through DNS. Everything else is refused with a reason.
 */
public class ContainerTargetPolicy {

  public static final String CONTAINER_PREFIX = "container-";
  public static final int SSH_PORT = 22;
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final RegistryLookups lookups;

  public ContainerTargetPolicy(RegistryLookups lookups) {
    this.lookups = lookups;
  }

  /** The outcome: allowed with the route to connect to, or denied with a reason. */
  public record Decision(boolean allowed, String reason, ContainerRoute route) {
    static Decision deny(String reason) {
      return new Decision(false, reason, null);
    }
  }

  public Decision decide(String username, String host, int port) {
    if (username == null || host == null) {
      return Decision.deny("unauthenticated");
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.contains(":") || IPV4.matcher(name).matches() || name.startsWith("[")) {
      return Decision.deny("ip-literal");
    }
    if (name.equals("localhost") || name.endsWith(".localhost")) {
      return Decision.deny("localhost");
    }
    if (!name.startsWith(CONTAINER_PREFIX)) {
      return Decision.deny("not-a-container-name");
    }
    if (!name.equals(CONTAINER_PREFIX + username)) {
      return Decision.deny("not-own-container");
    }
    Optional<ContainerRoute> route;
    try {
      route = lookups.route(username);
    } catch (RegistryUnavailableException e) {
      return Decision.deny("registry-unavailable");
    }
    if (route.isEmpty()) {
      return Decision.deny("no-route");
    }
    if (port != SSH_PORT && port != route.get().port()) {
      return Decision.deny("wrong-port");
    }
    return new Decision(true, "own-container", route.get());
  }

  /** Whether an already-resolved address is the user's route (second check at connect time). */
  public boolean isRouteOf(String username, String host, int port) {
    try {
      return lookups
          .route(username)
          .map(r -> r.host().equalsIgnoreCase(host) && r.port() == port)
          .orElse(false);
    } catch (RegistryUnavailableException e) {
      return false;
    }
  }
}
