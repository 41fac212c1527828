package dev.spoq.relay.assignment;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The frp naming scheme. frpc runs WITHOUT {@code user} (with a user, frps would see {@code
 * <user>.<name>}), so the proxy name frps reports in plugin calls and in its metrics is exactly
 * {@code spoq-<jetsonId>} (lower-case UUID).
 */
public final class ProxyNames {

  private static final String PREFIX = "spoq-";
  private static final Pattern SHAPE =
      Pattern.compile("spoq-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private ProxyNames() {}

  public static String of(UUID jetsonId) {
    return PREFIX + jetsonId.toString().toLowerCase();
  }

  /** The Jetson behind a proxy name; empty for any name not made by {@link #of(UUID)}. */
  public static Optional<UUID> jetson(String proxyName) {
    if (proxyName == null || !SHAPE.matcher(proxyName).matches()) {
      return Optional.empty();
    }
    return Optional.of(UUID.fromString(proxyName.substring(PREFIX.length())));
  }
}
