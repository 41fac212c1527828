package dev.spoq.testsupport.frp;

import java.time.Duration;
import java.util.List;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * What {@link FrpsStandIn} takes from a rendered frps.toml: the token, {@code
 * transport.heartbeatTimeout} (frp's default with tcpMux is -1: never), {@code
 * detailedErrorsToClient} and the first {@code [[httpPlugins]]} entry.
 *
 * @param pluginAddr frp's {@code addr}: {@code host:port}, {@code http://...} or {@code
 *     https://...}
 */
public record FrpsConfig(
    String authToken,
    Duration heartbeatTimeout,
    boolean detailedErrorsToClient,
    String pluginAddr,
    String pluginPath,
    List<String> pluginOps) {

  /** Parses a rendered frps.toml (see {@link FrpTemplate}). */
  public static FrpsConfig parse(String renderedToml) {
    TomlParseResult toml = Toml.parse(renderedToml);
    if (toml.hasErrors()) {
      throw new IllegalArgumentException("frps.toml does not parse: " + toml.errors());
    }
    Long timeout = toml.getLong("transport.heartbeatTimeout");
    TomlArray plugins = toml.getArray("httpPlugins");
    if (plugins == null || plugins.isEmpty()) {
      throw new IllegalArgumentException("frps.toml has no [[httpPlugins]]");
    }
    TomlTable plugin = plugins.getTable(0);
    return new FrpsConfig(
        toml.getString("auth.token"),
        Duration.ofSeconds(timeout == null ? -1 : timeout),
        Boolean.TRUE.equals(toml.getBoolean("detailedErrorsToClient")),
        plugin.getString("addr"),
        plugin.getString("path"),
        plugin.getArray("ops").toList().stream().map(Object::toString).toList());
  }

  /** The same config with another heartbeat timeout (a test that cannot wait 90 s). */
  public FrpsConfig withHeartbeatTimeout(Duration timeout) {
    return new FrpsConfig(
        authToken, timeout, detailedErrorsToClient, pluginAddr, pluginPath, pluginOps);
  }

  /** The same config with other plugin ops. */
  public FrpsConfig withPluginOps(List<String> ops) {
    return new FrpsConfig(
        authToken, heartbeatTimeout, detailedErrorsToClient, pluginAddr, pluginPath, ops);
  }

  /** The URL frps posts to, before its query string (frp prefixes http:// to a bare addr). */
  String pluginUrl() {
    String base =
        pluginAddr.startsWith("http://") || pluginAddr.startsWith("https://")
            ? pluginAddr
            : "http://" + pluginAddr;
    return base + pluginPath;
  }
}
