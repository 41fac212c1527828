package dev.spoq.relayserver.jetsons;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Jetsons this relay serves (contract C2 body): {@code {"version", "jetsons":[{"jetsonId",
 * "publicKey", "sessionKey"}]}}. Entries with a malformed id or key are skipped and logged.
 */
public record JetsonSet(String version, List<Jetson> jetsons) {

  private static final Logger log = LoggerFactory.getLogger(JetsonSet.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public record Jetson(UUID jetsonId, byte[] publicKey, byte[] sessionKey) {}

  public static JetsonSet parse(String body) {
    JsonNode root = JSON.readTree(body);
    if (root == null || !root.isObject() || !root.path("jetsons").isArray()) {
      throw new IllegalArgumentException("not a Jetson set: no \"jetsons\" array");
    }
    List<Jetson> jetsons = new ArrayList<>();
    for (JsonNode node : root.path("jetsons")) {
      try {
        UUID id = UUID.fromString(node.path("jetsonId").asString());
        byte[] publicKey = key(node, "publicKey");
        byte[] sessionKey = key(node, "sessionKey");
        jetsons.add(new Jetson(id, publicKey, sessionKey));
      } catch (IllegalArgumentException e) {
        log.warn("skipping a malformed Jetson entry: {}", e.getMessage());
      }
    }
    return new JetsonSet(root.path("version").asString(""), List.copyOf(jetsons));
  }

  private static byte[] key(JsonNode node, String field) {
    byte[] key = Base64.getDecoder().decode(node.path(field).asString(""));
    if (key.length != 32) {
      throw new IllegalArgumentException(field + " must be 32 bytes of base64");
    }
    return key;
  }
}
