package dev.spoq.relay.connect;

import tools.jackson.databind.JsonNode;

/**
 * The fields of the agent's status report (the seed's {@code GET /api/device/status} shape, as the
 * registry keeps it) that the connection decision reads, and nothing else:
 *
 * <ul>
 *   <li>{@code upnp.status}: {@code "active"} means the router holds the port mapping;
 *   <li>{@code upnp.external_ip}: the router's public IPv4/IPv6 address (a literal);
 *   <li>{@code upnp.external_port}: the public UDP port mapped to WireGuard (1-65535);
 *   <li>{@code relay.connected}: whether frpc is logged in to its relay (boolean);
 *   <li>{@code connection.mode} (optional): {@code direct}, {@code holepunch}, {@code relay} or
 *       {@code offline}, the path the agent sees its WireGuard peers use right now.
 * </ul>
 *
 * Missing or mistyped fields read as "unknown". The report's {@code dns.points_to} is not read:
 * what DNS publishes comes from dns-api (contract C6).
 */
record StatusFacts(
    String upnpStatus,
    String externalIp,
    Integer externalPort,
    Boolean relayConnected,
    String mode) {

  static StatusFacts read(JsonNode report) {
    if (report == null || !report.isObject()) {
      return new StatusFacts(null, null, null, null, null);
    }
    JsonNode upnp = report.path("upnp");
    JsonNode port = upnp.path("external_port");
    JsonNode relay = report.path("relay").path("connected");
    String mode = string(report.path("connection").path("mode"));
    return new StatusFacts(
        string(upnp.path("status")),
        string(upnp.path("external_ip")),
        port.isIntegralNumber() && port.asInt() >= 1 && port.asInt() <= 65535 ? port.asInt() : null,
        relay.isBoolean() ? relay.asBoolean() : null,
        mode != null && mode.matches("direct|holepunch|relay|offline") ? mode : null);
  }

  boolean upnpActive() {
    return upnpStatus != null && upnpStatus.equalsIgnoreCase("active");
  }

  boolean externalIpValid() {
    return externalIp != null && PublishedDns.literal(externalIp) != null;
  }

  private static String string(JsonNode node) {
    return node != null && node.isString() && node.asString().length() <= 256
        ? node.asString()
        : null;
  }
}
