package dev.spoq.agent.tui;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Turns a status document into the seed's "Network Status" lines. */
public final class StatusView {

  private StatusView() {}

  public static List<String> lines(JsonNode s, Instant now, boolean color) {
    List<String> out = new ArrayList<>();
    JsonNode wg = s.path("wireguard");
    boolean up = wg.path("up").asBoolean(false);
    out.add("WireGuard: " + dot(up, color) + " " + (up ? "Active" : "Down"));
    out.add("  Interface: " + wg.path("interface").asString("?"));
    out.add("  Address: " + wg.path("address").asString("?"));
    out.add("  Port: " + wg.path("listen_port").asString("?"));
    out.add("");
    out.add("Connected Peers:");
    JsonNode peers = wg.path("peers");
    if (!peers.isArray() || peers.isEmpty()) {
      out.add("  (no devices yet: spoq device add <name> --profile 1 --qr)");
    } else {
      for (JsonNode p : peers) {
        String hs =
            p.path("last_handshake").isNull() ? null : p.path("last_handshake").asString(null);
        Instant last = hs == null ? null : Instant.parse(hs);
        boolean recent = last != null && Duration.between(last, now).toSeconds() < 180;
        String name = p.path("name").isNull() ? "" : p.path("name").asString("");
        out.add(
            String.format(
                "  %s %-14s %-14s Last: %s",
                dot(recent, color),
                name.isEmpty() ? shortKey(p.path("public_key").asString("")) : name,
                p.path("allowed_ips").asString("").replace("/32", ""),
                last == null ? "never" : ago(Duration.between(last, now))));
      }
    }
    out.add("");
    out.add("External Access:");
    JsonNode upnp = s.path("upnp");
    String upnpStatus = upnp.path("status").asString("unknown");
    boolean upnpOk = "active".equals(upnpStatus);
    out.add(
        "  UPnP: "
            + dot(upnpOk, color)
            + " "
            + capitalize(upnpStatus)
            + (upnp.path("external_port").isNumber()
                ? " (port " + upnp.path("external_port").asInt() + ")"
                : ""));
    JsonNode ip = s.path("public_ip");
    String address = text(ip.path("address"));
    out.add(
        "  Public IP: "
            + (address == null ? "unknown" : address)
            + (ip.path("cgnat").asBoolean(false) ? " (carrier-grade NAT)" : ""));
    JsonNode dns = s.path("dns");
    String pointsTo = text(dns.path("points_to"));
    String dnsLine =
        "  DNS: "
            + dns.path("subdomain").asString("?")
            + " → "
            + (pointsTo == null ? "not set" : pointsTo);
    if (dns.path("matches").isBoolean() && !dns.path("matches").asBoolean()) {
      dnsLine += "  (resolves to " + dns.path("resolves_to") + ")";
    }
    out.add(dnsLine);
    out.add("");
    JsonNode relay = s.path("relay");
    boolean connected = relay.path("connected").asBoolean(false);
    String path = s.path("path").asString("unknown");
    String kind = text(relay.path("kind"));
    JsonNode session = relay.path("session");
    String upSince = text(session.path("up_since"));
    out.add(
        "Relay: "
            + dot(connected, color)
            + " "
            + (connected ? "Connected" : "Not connected")
            + (connected && "direct".equals(path) ? " (fallback ready)" : "")
            + (kind == null ? "" : "  " + ("spoq".equals(kind) ? "relay-server" : kind))
            + (text(relay.path("server")) == null ? "" : "  " + text(relay.path("server"))));
    if (session.isObject()) {
      out.add(
          "  Session: "
              + session.path("state").asString("?")
              + (upSince == null
                  ? ""
                  : " since " + ago(Duration.between(Instant.parse(upSince), now)))
              + ", "
              + session.path("clients").asInt(0)
              + " client(s)"
              + (text(session.path("error")) == null
                  ? ""
                  : "  (" + text(session.path("error")) + ")"));
    }
    out.add(
        "Path: "
            + path
            + ("direct".equals(path)
                ? ""
                : "  (" + s.path("health").path("reason").asString("") + ")"));
    return out;
  }

  static String dot(boolean ok, boolean color) {
    if (!color) {
      return ok ? "●" : "○";
    }
    return ok ? "\u001b[32m●\u001b[0m" : "\u001b[31m○\u001b[0m";
  }

  static String ago(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s ago";
    }
    if (s < 3600) {
      return s / 60 + "m ago";
    }
    if (s < 86400) {
      return s / 3600 + "h ago";
    }
    return s / 86400 + "d ago";
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : n.asString();
  }

  private static String shortKey(String key) {
    return key.length() > 8 ? key.substring(0, 8) + "…" : key;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** Draws lines inside the seed's box, padded to {@code width}. */
  public static List<String> boxed(String title, List<String> body, String footer, int width) {
    List<String> out = new ArrayList<>();
    String top = "┌─ " + title + " ";
    out.add(top + "─".repeat(Math.max(0, width - visible(top) - 1)) + "┐");
    out.add(pad("│", width));
    for (String line : body) {
      out.add(pad("│  " + line, width));
    }
    out.add(pad("│", width));
    if (footer != null) {
      out.add(pad("│  " + footer, width));
      out.add(pad("│", width));
    }
    out.add("└" + "─".repeat(width - 2) + "┘");
    return out;
  }

  private static String pad(String s, int width) {
    int len = visible(s);
    return s + " ".repeat(Math.max(0, width - 1 - len)) + "│";
  }

  static int visible(String s) {
    return s.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "")
        .codePointCount(0, s.replaceAll("\u001b\\[[0-9;?]*[A-Za-z]", "").length());
  }
}
