package dev.spoq.agent.upnp;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.util.Json;
import dev.spoq.agent.util.SecureFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The external and internal port pair that worked with a gateway requiring both to be equal (UPnP
 * error 724), kept in {@code <state>/upnp-ports.json} so that a restart starts WireGuard on that
 * port and maps the same pair first. Absent on the default path (WireGuard on {@code
 * wireguard.listen-port}); a pair outside the configured candidate ports is ignored.
 */
public record UpnpPorts(int external, int internal) {

  private static final Logger log = LoggerFactory.getLogger(UpnpPorts.class);

  public static Path file(AgentConfig config) {
    return config.stateDir().resolve("upnp-ports.json");
  }

  /** The saved pair, when UPnP is on and the pair is still one of the configured candidates. */
  public static Optional<UpnpPorts> load(AgentConfig config) {
    Path file = file(config);
    if (!config.upnpEnabled() || !Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonNode n = Json.MAPPER.readTree(Files.readString(file));
      UpnpPorts p = new UpnpPorts(n.path("external").asInt(0), n.path("internal").asInt(0));
      if (!candidate(config, p.external()) || !candidate(config, p.internal())) {
        log.warn("ignoring {}: {} is not among the configured UPnP ports", file, p);
        return Optional.empty();
      }
      return Optional.of(p);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot reuse {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  static boolean candidate(AgentConfig config, int port) {
    return port == config.wgListenPort()
        || port == config.upnpExternalPort()
        || config.upnpAlternativePorts().contains(port);
  }

  /** Saves the pair, or removes the file when WireGuard is back on its configured port. */
  void save(AgentConfig config) {
    Path file = file(config);
    try {
      if (internal == config.wgListenPort()) {
        Files.deleteIfExists(file);
        return;
      }
      ObjectNode n = Json.MAPPER.createObjectNode();
      n.put("external", external);
      n.put("internal", internal);
      SecureFiles.write(file, Json.MAPPER.writeValueAsString(n), false);
    } catch (IOException | RuntimeException e) {
      log.warn("cannot write {}: {}", file, e.getMessage());
    }
  }
}
