package dev.spoq.relay.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Talks to one frps admin web server ({@code webServer.*} in frps.toml): {@code GET /healthz} (no
 * auth), {@code GET /api/serverinfo} and {@code GET /metrics} (HTTP basic auth with {@code
 * webServer.user}/{@code webServer.password}). Answers are size-capped.
 */
@Component
public class FrpsAdminClient {

  private static final int MAX_BODY = 8 * 1024 * 1024;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http;
  private final AdminUrlPolicy policy;

  FrpsAdminClient(HttpClient frpsHttpClient, AdminUrlPolicy policy) {
    this.http = frpsHttpClient;
    this.policy = policy;
  }

  /** What {@code /api/serverinfo} says (the fields the coordinator uses). */
  public record ServerInfo(String version, int bindPort, Long clientCounts, Long curConns) {}

  public static final class FrpsException extends Exception {
    public FrpsException(String message) {
      super(message);
    }
  }

  public void healthz(Relay relay, Duration timeout) throws FrpsException {
    get(relay, "/healthz", false, timeout);
  }

  public ServerInfo serverInfo(Relay relay, Duration timeout) throws FrpsException {
    String body = get(relay, "/api/serverinfo", true, timeout);
    try {
      JsonNode node = JSON.readTree(body);
      if (node == null || !node.isObject() || !node.has("bindPort")) {
        throw new FrpsException("/api/serverinfo is not frps's server info JSON");
      }
      return new ServerInfo(
          node.path("version").asString(""),
          node.path("bindPort").asInt(0),
          node.has("clientCounts") ? node.get("clientCounts").asLong() : null,
          node.has("curConns") ? node.get("curConns").asLong() : null);
    } catch (JacksonException e) {
      throw new FrpsException("/api/serverinfo answered invalid JSON");
    }
  }

  /** The Prometheus text of {@code /metrics} (frps needs {@code enablePrometheus = true}). */
  public String metrics(Relay relay, Duration timeout) throws FrpsException {
    return get(relay, "/metrics", true, timeout);
  }

  private String get(Relay relay, String path, boolean auth, Duration timeout)
      throws FrpsException {
    URI uri = URI.create(relay.adminUrl().replaceAll("/+$", "") + path);
    String refusal = uri.getHost() == null ? "has no host" : policy.refusal(uri.getHost());
    if (refusal != null) {
      throw new FrpsException("admin URL refused: it " + refusal);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    if (auth && !relay.adminUser().isEmpty()) {
      String basic = relay.adminUser() + ":" + relay.adminPassword();
      request.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
    }
    try {
      HttpResponse<InputStream> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        if (response.statusCode() != 200) {
          throw new FrpsException(path + " answered HTTP " + response.statusCode());
        }
        if (body.length > MAX_BODY) {
          throw new FrpsException(path + " answered more than " + MAX_BODY + " bytes");
        }
        return new String(body, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new FrpsException(path + " unreachable: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FrpsException(path + " interrupted");
    } catch (IllegalArgumentException e) {
      throw new FrpsException(path + " has an invalid URL");
    }
  }
}
