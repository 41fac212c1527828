package dev.spoq.agent.relay;

import dev.spoq.agent.registry.ControlPlaneException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The relay-coordinator's answer for this Jetson: which frps to use and how. When the coordinator
 * ships a rendered frpc config, it is used verbatim; otherwise one is rendered from the fields.
 */
public record RelayAssignment(
    String region,
    String serverAddr,
    int serverPort,
    int remotePort,
    String proxyName,
    String authToken,
    Map<String, String> metadatas,
    String frpcConfig,
    List<Endpoint> regions) {

  /** A region's relay, for latency measurements. */
  public record Endpoint(String region, String host, int port) {}

  public static RelayAssignment parse(JsonNode json) {
    if (json == null || !json.isObject()) {
      throw new ControlPlaneException("relay assignment is not a JSON object", 200);
    }
    JsonNode relay = json.has("relay") && json.get("relay").isObject() ? json.get("relay") : json;
    String server = text(relay, "serverAddr", "server_addr", "host", "address");
    int port = relay.path("serverPort").asInt(relay.path("bindPort").asInt(7000));
    int remote = json.path("remotePort").asInt(json.path("remote_port").asInt(0));
    String config = text(json, "frpcConfig", "frpcToml", "frpc_config", "frpcConfigToml");
    if (config == null && json.path("frpc").isObject()) {
      config = text(json.path("frpc"), "config", "toml");
    }
    if (config == null && (server == null || remote <= 0)) {
      throw new ControlPlaneException("relay assignment lacks the server or remote port", 200);
    }
    Map<String, String> meta = new LinkedHashMap<>();
    JsonNode m = json.has("metadatas") ? json.get("metadatas") : json.path("metadata");
    if (m.isObject()) {
      m.properties().forEach(e -> meta.put(e.getKey(), e.getValue().asString()));
    }
    String credential = text(json, "credential", "relayCredential", "relay_credential");
    if (credential != null && meta.isEmpty()) {
      meta.put("spoq_relay_credential", credential);
    }
    List<Endpoint> regions = new ArrayList<>();
    JsonNode list = json.has("regions") ? json.get("regions") : json.path("relays");
    if (list.isArray()) {
      for (JsonNode r : list) {
        String host = text(r, "host", "serverAddr", "address", "publicHost");
        String region = text(r, "region", "name");
        if (host != null && region != null) {
          regions.add(
              new Endpoint(region, host, r.path("serverPort").asInt(r.path("port").asInt(7000))));
        }
      }
    }
    return new RelayAssignment(
        text(json, "region") != null ? text(json, "region") : text(relay, "region"),
        server,
        port,
        remote,
        text(json, "proxyName", "proxy_name"),
        text(json, "authToken", "frpsAuthToken", "auth_token", "token"),
        Map.copyOf(meta),
        config,
        List.copyOf(regions));
  }

  /** The frpc.toml to run: the coordinator's, or one rendered from the fields. */
  public String renderFrpcToml(int adminPort, int localPort) {
    if (frpcConfig != null && !frpcConfig.isBlank()) {
      return frpcConfig;
    }
    StringBuilder sb = new StringBuilder();
    sb.append("# Written by the Spoq agent from the relay assignment.\n");
    sb.append("serverAddr = ").append(quote(serverAddr)).append('\n');
    sb.append("serverPort = ").append(serverPort).append('\n');
    sb.append("loginFailExit = false\n");
    if (authToken != null) {
      sb.append("auth.method = \"token\"\n");
      sb.append("auth.token = ").append(quote(authToken)).append('\n');
    }
    metadatas.forEach(
        (k, v) ->
            sb.append("metadatas.")
                .append(k.replaceAll("[^A-Za-z0-9_-]", "_"))
                .append(" = ")
                .append(quote(v))
                .append('\n'));
    sb.append("webServer.addr = \"127.0.0.1\"\n");
    sb.append("webServer.port = ").append(adminPort).append('\n');
    sb.append('\n');
    sb.append("[[proxies]]\n");
    sb.append("name = ")
        .append(quote(proxyName == null ? "spoq-wireguard" : proxyName))
        .append('\n');
    sb.append("type = \"udp\"\n");
    sb.append("localIP = \"127.0.0.1\"\n");
    sb.append("localPort = ").append(localPort).append('\n');
    sb.append("remotePort = ").append(remotePort).append('\n');
    return sb.toString();
  }

  /** "host:port" of the assigned relay, for status and logs. */
  public String server() {
    return serverAddr == null ? region : serverAddr + ":" + serverPort;
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("[\\r\\n]", "") + "\"";
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
