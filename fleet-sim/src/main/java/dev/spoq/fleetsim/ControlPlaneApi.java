package dev.spoq.fleetsim;

import dev.spoq.common.wireguard.X25519;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The administrator's and the enrolling agent's calls, synchronous (provisioning only). */
final class ControlPlaneApi {

  static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String registry;
  private final String coordinator;
  private final String adminKey;

  ControlPlaneApi(String registry, String coordinator, String adminKey) {
    this.registry = registry;
    this.coordinator = coordinator;
    this.adminKey = adminKey;
  }

  /** What an operator and a new Jetson do: account, enrollment code, enrolment. */
  SimulatedJetson enroll(int index) throws IOException, InterruptedException {
    String username = "sim" + index;
    call(
        registry + "/api/accounts",
        "POST",
        adminKey,
        Map.of("username", username, "subdomain", username, "product", "JETSON"),
        201);
    JsonNode code =
        call(
            registry + "/api/accounts/" + username + "/enrollment-codes",
            "POST",
            adminKey,
            null,
            201);
    JsonNode enrolled =
        call(
            registry + "/api/jetsons/enroll",
            "POST",
            null,
            Map.of(
                "code",
                code.get("code").asString(),
                "publicKey",
                X25519.generate().publicKey().base64(),
                "hostname",
                "jetson-" + index),
            201);
    return new SimulatedJetson(
        index,
        UUID.fromString(enrolled.get("jetsonId").asString()),
        enrolled.get("deviceToken").asString(),
        enrolled.get("subdomain").asString());
  }

  /** Registers one frp relay (its admin API is {@code adminUrl}) with room for {@code capacity}. */
  void createRelay(String id, String adminUrl, int firstPort, int capacity)
      throws IOException, InterruptedException {
    call(
        coordinator + "/api/relays",
        "POST",
        adminKey,
        Map.of(
            "id",
            id,
            "region",
            "us",
            "publicHost",
            id + ".relay.sim.invalid",
            "bindPort",
            7000,
            "udpPortRange",
            Map.of("start", firstPort, "end", firstPort + capacity - 1),
            "capacity",
            capacity,
            "adminUrl",
            adminUrl,
            "adminUser",
            "spoq",
            "adminPassword",
            "sim-admin-password"),
        201);
  }

  /** The relay's status as the coordinator sees it (UNKNOWN until polled, then UP or DOWN). */
  String relayStatus(String id) throws IOException, InterruptedException {
    return call(coordinator + "/api/relays/" + id, "GET", adminKey, null, 200)
        .get("status")
        .asString();
  }

  private JsonNode call(String url, String method, String token, Object body, int expected)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpRequest request = b.build();
    // An operator's script retries a 503 (a service still warming up, an upstream timeout);
    // bounded: 5 attempts, 2 s apart.
    HttpResponse<String> r = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      r = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 503) {
        break;
      }
      Thread.sleep(2_000);
    }
    if (r.statusCode() != expected) {
      throw new IOException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }
}
