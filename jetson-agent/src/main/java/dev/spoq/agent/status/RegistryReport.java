package dev.spoq.agent.status;

import dev.spoq.agent.util.Json;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The registry's status schema ({@code PUT /api/jetsons/self/status}) is strict: only known fields,
 * a restricted character set. This projects the local status document onto it; the path travels as
 * {@code connection.mode} (direct | relay | offline), which the relay-coordinator reads.
 */
public final class RegistryReport {

  private static final String ALLOWED = "[^A-Za-z0-9 ._:/@+=()\\[\\],-]";

  private RegistryReport() {}

  public static ObjectNode project(JsonNode full, String version, long uptimeSeconds) {
    ObjectNode out = Json.MAPPER.createObjectNode();
    JsonNode wg = full.path("wireguard");
    ObjectNode w = out.putObject("wireguard");
    copy(wg, w, 15, "interface");
    copy(wg, w, 44, "public_key");
    copyInt(wg, w, "listen_port");
    copy(wg, w, 18, "address");
    ArrayNode peers = w.putArray("peers");
    for (JsonNode p : wg.path("peers")) {
      if (peers.size() >= 256) {
        break;
      }
      ObjectNode o = peers.addObject();
      copy(p, o, 44, "public_key");
      copy(p, o, 64, "endpoint");
      copy(p, o, 64, "allowed_ips");
      copy(p, o, 40, "last_handshake");
      copyLong(p, o, "transfer_rx");
      copyLong(p, o, "transfer_tx");
    }
    JsonNode up = full.path("upnp");
    ObjectNode u = out.putObject("upnp");
    copy(up, u, 32, "status");
    copy(up, u, 45, "external_ip");
    copyInt(up, u, "external_port");
    copyLong(up, u, "lease_seconds");
    copy(up, u, 200, "error");
    JsonNode rl = full.path("relay");
    ObjectNode r = out.putObject("relay");
    if (rl.path("connected").isBoolean()) {
      r.put("connected", rl.get("connected").asBoolean());
    }
    copy(rl, r, 253, "server");
    copy(rl, r, 32, "region");
    copyInt(rl, r, "remote_port");
    JsonNode dn = full.path("dns");
    ObjectNode d = out.putObject("dns");
    copy(dn, d, 253, "subdomain");
    copy(dn, d, 45, "points_to");
    copy(dn, d, 40, "last_update");
    ObjectNode c = out.putObject("connection");
    String path = full.path("path").asString("none");
    c.put("mode", List.of("direct", "relay").contains(path) ? path : "offline");
    copy(full.path("connection"), c, 40, "since");
    ObjectNode a = out.putObject("agent");
    a.put("version", version);
    copy(full.path("agent"), a, 253, "hostname");
    a.put("uptime_seconds", Math.max(0, uptimeSeconds));
    return out;
  }

  private static void copy(JsonNode from, ObjectNode to, int max, String field) {
    JsonNode v = from.get(field);
    if (v == null || v.isNull() || v.isContainer()) {
      return;
    }
    String s = v.asString().replaceAll(ALLOWED, " ");
    to.put(field, s.length() > max ? s.substring(0, max) : s);
  }

  private static void copyInt(JsonNode from, ObjectNode to, String field) {
    JsonNode v = from.get(field);
    if (v != null && v.isNumber() && v.asInt() >= 1 && v.asInt() <= 65535) {
      to.put(field, v.asInt());
    }
  }

  private static void copyLong(JsonNode from, ObjectNode to, String field) {
    JsonNode v = from.get(field);
    if (v != null && v.isNumber() && v.asLong() >= 0) {
      to.put(field, v.asLong());
    }
  }
}
