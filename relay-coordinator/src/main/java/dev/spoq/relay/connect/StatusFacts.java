package dev.spoq.relay.connect;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The fields of the agent's status report (the seed's {@code GET /api/device/status} shape, as the
 * registry keeps it) that the connection decision reads, and nothing else:
 *
 * <ul>
 *   <li>{@code upnp.status}: {@code "active"} means the router holds the port mapping;
 *   <li>{@code upnp.external_ip}: the router's public IPv4/IPv6 address (a literal);
 *   <li>{@code upnp.external_port}: the public UDP port mapped to WireGuard (1-65535);
 *   <li>{@code dns.points_to}: the address {@code <subdomain>.<domain>} resolves to now;
 *   <li>{@code relay.connected}: whether frpc is logged in to its relay (boolean);
 *   <li>{@code connection.mode} (optional): {@code direct}, {@code holepunch}, {@code relay} or
 *       {@code offline}, the path the agent sees its WireGuard peers use right now.
 * </ul>
 *
 * Missing or mistyped fields read as "unknown".
 */
record StatusFacts(
    String upnpStatus,
    String externalIp,
    Integer externalPort,
    String dnsPointsTo,
    Boolean relayConnected,
    String mode) {

  private static final Pattern IP_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  static StatusFacts read(JsonNode report) {
    if (report == null || !report.isObject()) {
      return new StatusFacts(null, null, null, null, null, null);
    }
    JsonNode upnp = report.path("upnp");
    JsonNode port = upnp.path("external_port");
    JsonNode relay = report.path("relay").path("connected");
    String mode = string(report.path("connection").path("mode"));
    return new StatusFacts(
        string(upnp.path("status")),
        string(upnp.path("external_ip")),
        port.isIntegralNumber() && port.asInt() >= 1 && port.asInt() <= 65535 ? port.asInt() : null,
        string(report.path("dns").path("points_to")),
        relay.isBoolean() ? relay.asBoolean() : null,
        mode != null && mode.matches("direct|holepunch|relay|offline") ? mode : null);
  }

  boolean upnpActive() {
    return upnpStatus != null && upnpStatus.equalsIgnoreCase("active");
  }

  /** Whether DNS points at the router's public address (compared as IP addresses). */
  boolean dnsMatchesPublicIp() {
    if (externalIp == null || dnsPointsTo == null) {
      return false;
    }
    InetAddress a = literal(externalIp);
    InetAddress b = literal(dnsPointsTo);
    return a != null && a.equals(b);
  }

  boolean externalIpValid() {
    return externalIp != null && literal(externalIp) != null;
  }

  private static InetAddress literal(String text) {
    if (!IP_CHARS.matcher(text).matches() || !(text.contains(":") || text.matches("[0-9.]+"))) {
      return null;
    }
    if (!text.contains(":") && !text.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
      return null;
    }
    try {
      // Only literals reach here (digits, dots, colons), so no DNS query is made.
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String string(JsonNode node) {
    return node != null && node.isString() && node.asString().length() <= 256
        ? node.asString()
        : null;
  }
}
