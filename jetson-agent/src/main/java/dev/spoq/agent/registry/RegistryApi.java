package dev.spoq.agent.registry;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** The device registry's Jetson-facing API, called with the device token. */
public class RegistryApi {

  public record Enrollment(
      String jetsonId,
      String deviceToken,
      String subdomain,
      String fqdn,
      String address,
      int listenPort) {}

  public record DeviceRegistration(
      String name, int profile, String address, String endpoint, String jetsonPublicKey) {}

  private final URI base;
  private final HttpJson http;
  private final Duration timeout;

  public RegistryApi(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = new HttpJson("registry", timeout);
  }

  public Enrollment enroll(String code, String publicKey, String hostname) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", code);
    body.put("publicKey", publicKey);
    body.put("hostname", hostname);
    JsonNode json = http.send("POST", uri("/api/jetsons/enroll"), null, body, Map.of()).body();
    requireObject(json, "enroll");
    JsonNode network = json.path("network");
    String token = first(json, "deviceToken", "device_token", "token");
    String jetsonId = first(json, "jetsonId", "jetson_id", "id");
    if (token == null || jetsonId == null) {
      throw new ControlPlaneException(
          "registry enrollment answer lacks the device token or Jetson id", 200);
    }
    return new Enrollment(
        jetsonId,
        token,
        first(json, "subdomain"),
        first(json, "fqdn"),
        Optional.ofNullable(first(network, "address", "jetsonAddress"))
            .or(() -> Optional.ofNullable(first(json, "address")))
            .orElse("10.100.0.1/24"),
        network.path("listenPort").asInt(json.path("listenPort").asInt(51820)));
  }

  public JsonNode self(String token) {
    JsonNode json = http.send("GET", uri("/api/jetsons/self"), token, null, Map.of()).body();
    requireObject(json, "self");
    return json;
  }

  /** The peer set, or empty when unchanged since {@code etag} (HTTP 304). */
  public Optional<PeerSet> peers(String token, String etag) {
    return peers(token, etag, Duration.ZERO);
  }

  /**
   * The peer set as a long-poll (contract C4): the registry holds the request up to {@code wait}
   * and answers as soon as the set differs from {@code etag}; empty when unchanged (HTTP 304).
   */
  public Optional<PeerSet> peers(String token, String etag, Duration wait) {
    Map<String, String> headers = etag == null ? Map.of() : Map.of("If-None-Match", etag);
    HttpJson.Response response =
        wait.isZero() || etag == null
            ? http.send("GET", uri("/api/jetsons/self/peers"), token, null, headers)
            : http.send(
                "GET",
                uri("/api/jetsons/self/peers?wait=" + wait.toSeconds()),
                token,
                null,
                headers,
                wait.plus(timeout));
    if (response.status() == 304) {
      return Optional.empty();
    }
    JsonNode json = response.body();
    JsonNode list = json != null && json.isArray() ? json : json == null ? null : json.get("peers");
    if (list == null || !list.isArray()) {
      throw new ControlPlaneException("registry peer set is not a list of peers", 200);
    }
    List<Peer> peers = new ArrayList<>();
    for (JsonNode p : list) {
      String key = first(p, "publicKey", "public_key");
      List<String> allowed = new ArrayList<>();
      JsonNode ips = p.has("allowedIps") ? p.get("allowedIps") : p.path("allowed_ips");
      if (ips.isArray()) {
        ips.forEach(ip -> allowed.add(ip.asString()));
      } else if (ips.isString()) {
        for (String ip : ips.asString().split(",")) {
          allowed.add(ip.trim());
        }
      } else if (p.hasNonNull("address")) {
        String a = p.get("address").asString();
        allowed.add(a.contains("/") ? a : a + "/32");
      }
      if (key == null || allowed.isEmpty()) {
        throw new ControlPlaneException("registry peer entry lacks a public key or address", 200);
      }
      peers.add(new Peer(first(p, "name"), key, List.copyOf(allowed)));
    }
    String newEtag = response.header("ETag").orElse(null);
    return Optional.of(new PeerSet(newEtag, List.copyOf(peers)));
  }

  public DeviceRegistration registerDevice(
      String token, String name, int profile, String publicKey) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    body.put("profile", profile);
    body.put("publicKey", publicKey);
    JsonNode json;
    try {
      json = http.send("POST", uri("/api/jetsons/self/devices"), token, body, Map.of()).body();
    } catch (ControlPlaneException e) {
      if (e.status() != 404 || !e.getMessage().contains("create it first")) {
        throw e;
      }
      http.send(
          "POST",
          uri("/api/jetsons/self/profiles"),
          token,
          Map.of("number", profile, "name", "profile-" + profile),
          Map.of());
      json = http.send("POST", uri("/api/jetsons/self/devices"), token, body, Map.of()).body();
    }
    requireObject(json, "device registration");
    JsonNode device = json.path("device");
    JsonNode client = json.path("clientConfig");
    String address = first(client, "address");
    if (address == null) {
      address = first(device, "address");
    }
    if (address == null) {
      throw new ControlPlaneException("registry device answer lacks the address", 200);
    }
    return new DeviceRegistration(
        Optional.ofNullable(first(device, "name")).orElse(name),
        device.path("profile").asInt(profile),
        address,
        first(client, "endpoint"),
        first(client, "peerPublicKey"));
  }

  /** The usernames allowed to log in over SSH (for the sshd drop-in's AllowUsers). */
  public List<String> sshUsers(String token) {
    JsonNode json = self(token);
    List<String> users = new ArrayList<>();
    JsonNode list = json.path("sshUsers");
    if (list.isArray()) {
      list.forEach(u -> users.add(u.asString()));
    } else if (json.hasNonNull("username")) {
      users.add(json.get("username").asString());
    }
    return users;
  }

  public void putStatus(String token, JsonNode report) {
    http.send("PUT", uri("/api/jetsons/self/status"), token, report, Map.of());
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static void requireObject(JsonNode json, String what) {
    if (json == null || !json.isObject()) {
      throw new ControlPlaneException("registry " + what + " answer is not a JSON object", 200);
    }
  }

  static String first(JsonNode node, String... fields) {
    if (node == null) {
      return null;
    }
    for (String f : fields) {
      JsonNode v = node.get(f);
      if (v != null && !v.isNull() && !v.isContainer()) {
        return v.asString();
      }
    }
    return null;
  }
}
