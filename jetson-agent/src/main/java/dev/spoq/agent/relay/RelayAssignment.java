package dev.spoq.agent.relay;

import dev.spoq.agent.registry.ControlPlaneException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The relay-coordinator's answer for this Jetson (contract C2). Kind {@code spoq}: a relay-server,
 * reached with an authenticated session ({@code relay.host:agentPort}, key derived from {@code
 * credential}); clients use {@code relay.host:wgPort}. Kind {@code frp}: frps, run through the
 * coordinator's rendered frpc config, used verbatim (the agent renders none of its own).
 */
public record RelayAssignment(
    String kind,
    String relayId,
    String region,
    String host,
    int serverPort,
    int wgPort,
    int agentPort,
    int remotePort,
    String credential,
    String frpcConfig,
    String relayCaPem,
    String relayCaFile,
    List<Endpoint> regions) {

  public static final String SPOQ = "spoq";
  public static final String FRP = "frp";

  /** A region's relay, for latency measurements. */
  public record Endpoint(String region, String host, int port) {}

  public static RelayAssignment parse(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new ControlPlaneException("relay assignment is not a JSON object", 200);
    }
    JsonNode relay = json.path("relay");
    if (!relay.isObject()) {
      throw new ControlPlaneException("relay assignment lacks the relay", 200);
    }
    String kind = text(json, "kind");
    kind = kind == null ? FRP : kind;
    String host = text(relay, "host");
    String credential = text(json, "credential", "relayCredential");
    String config = text(json, "frpcConfig");
    int wgPort = relay.path("wgPort").asInt(51820);
    int agentPort = relay.path("agentPort").asInt(51821);
    if (SPOQ.equals(kind)) {
      if (host == null || credential == null || !port(wgPort) || !port(agentPort)) {
        throw new ControlPlaneException(
            "spoq relay assignment lacks the host, ports or credential", 200);
      }
    } else if (FRP.equals(kind)) {
      if (config == null) {
        throw new ControlPlaneException("frp relay assignment lacks the frpc config", 200);
      }
    } else {
      throw new ControlPlaneException("unknown relay kind '" + kind + "'", 200);
    }
    List<Endpoint> regions = new ArrayList<>();
    JsonNode list = json.path("regions");
    if (list.isArray()) {
      for (JsonNode r : list) {
        String h = text(r, "host");
        String region = text(r, "region");
        // A spoq relay's probe port is UDP (its agent port): a TCP connect time means nothing.
        if (h != null && region != null && !SPOQ.equals(text(r, "kind"))) {
          regions.add(new Endpoint(region, h, r.path("port").asInt(7000)));
        }
      }
    }
    return new RelayAssignment(
        kind,
        text(relay, "id"),
        text(json, "region") != null ? text(json, "region") : text(relay, "region"),
        host,
        relay.path("bindPort").asInt(7000),
        wgPort,
        agentPort,
        json.path("remotePort").asInt(0),
        credential,
        config,
        text(json, "relayCaPem"),
        text(json, "relayCaFile"),
        List.copyOf(regions));
  }

  public boolean spoq() {
    return SPOQ.equals(kind);
  }

  /** Where clients reach this Jetson through the relay, for status and logs. */
  public String server() {
    if (host == null) {
      return region;
    }
    return spoq() ? host + ":" + wgPort : host + ":" + serverPort;
  }

  @Override
  public String toString() {
    // The credential is a secret: never in logs.
    return "RelayAssignment[kind=" + kind + ", relay=" + relayId + ", server=" + server() + "]";
  }

  private static boolean port(int p) {
    return p >= 1 && p <= 65535;
  }

  private static String text(JsonNode node, String... fields) {
    for (String f : fields) {
      JsonNode v = node.get(f);
      if (v != null && !v.isNull() && !v.isContainer() && !v.asString().isBlank()) {
        return v.asString();
      }
    }
    return null;
  }
}
