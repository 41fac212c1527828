package dev.spoq.agent.registry;

import dev.spoq.agent.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Small JSON-over-HTTP helper for the control plane: bearer auth, timeouts, a 1 MiB answer cap, and
 * clear {@link ControlPlaneException}s for unreachable services, error statuses and garbage.
 */
public final class HttpJson {

  static final int MAX_BODY = 1 << 20;

  public record Response(int status, JsonNode body, Map<String, java.util.List<String>> headers) {
    public Optional<String> header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .flatMap(e -> e.getValue().stream())
          .findFirst();
    }
  }

  private final HttpClient client;
  private final Duration timeout;
  private final String service;

  public HttpJson(String service, Duration timeout) {
    this.service = service;
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public Response send(
      String method, URI uri, String bearer, Object body, Map<String, String> extraHeaders) {
    return send(method, uri, bearer, body, extraHeaders, timeout);
  }

  /** As {@link #send(String, URI, String, Object, Map)} with its own timeout (long-polls). */
  public Response send(
      String method,
      URI uri,
      String bearer,
      Object body,
      Map<String, String> extraHeaders,
      Duration requestTimeout) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Accept", "application/json");
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    extraHeaders.forEach(request::header);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request
          .header("Content-Type", "application/json")
          .method(
              method, HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)));
    }
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new ControlPlaneException(
          service + " unreachable at " + uri.getHost() + ":" + port(uri) + " (" + describe(e) + ")",
          0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlPlaneException(service + " call interrupted", 0);
    }
    byte[] bytes;
    try (InputStream in = response.body()) {
      bytes = in.readNBytes(MAX_BODY + 1);
    } catch (IOException e) {
      throw new ControlPlaneException(
          service + " answer could not be read: " + describe(e), response.statusCode());
    }
    if (bytes.length > MAX_BODY) {
      throw new ControlPlaneException(
          service + " answer exceeds " + MAX_BODY + " bytes; ignored", response.statusCode());
    }
    JsonNode json = null;
    if (bytes.length > 0 && response.statusCode() != 304) {
      try {
        json = Json.MAPPER.readTree(bytes);
      } catch (JacksonException e) {
        throw new ControlPlaneException(
            service
                + " answered HTTP "
                + response.statusCode()
                + " with a body that is not JSON ("
                + snippet(bytes)
                + ")",
            // Garbage is not the service talking (a proxy, a captive portal): retry later.
            0);
      }
    }
    int status = response.statusCode();
    if (status >= 400) {
      String detail = json == null ? "" : text(json, "detail", text(json, "title", ""));
      throw new ControlPlaneException(
          service + " answered HTTP " + status + (detail.isEmpty() ? "" : ": " + detail), status);
    }
    return new Response(status, json, response.headers().map());
  }

  static String text(JsonNode node, String field, String fallback) {
    JsonNode v = node == null ? null : node.get(field);
    return v == null || v.isNull() ? fallback : v.asString();
  }

  private static int port(URI uri) {
    return uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String snippet(byte[] bytes) {
    String s = new String(bytes, 0, Math.min(bytes.length, 60), StandardCharsets.UTF_8);
    return s.replaceAll("[^\\x20-\\x7e]", "?") + (bytes.length > 60 ? "..." : "");
  }
}
