package dev.spoq.common.registry;

import dev.spoq.common.auth.BearerToken;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Typed client of the device registry's internal API ({@code /internal/v1}, documented in {@code
 * docs/internal-api.md}), authenticated with this service's bearer credential.
 *
 * <p>Callers add their own short caches; this client does no caching. Every failure to get an
 * answer surfaces as {@link RegistryUnavailableException}, so callers can fail closed.
 */
public class RegistryClient {

  private final URI baseUri;
  private final String serviceToken;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final JsonMapper json;

  public RegistryClient(URI baseUri, String serviceToken, Duration requestTimeout) {
    this.baseUri = URI.create(baseUri.toString().replaceAll("/+$", "") + "/");
    this.serviceToken = serviceToken;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
    this.json =
        JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  }

  /** Who a Jetson device token belongs to; inactive for unknown, revoked or rotated tokens. */
  public DeviceTokenIntrospection introspectDeviceToken(String token) {
    return post(
            "internal/v1/device-tokens/introspect",
            Map.of("token", token),
            DeviceTokenIntrospection.class)
        .orElseThrow(() -> new RegistryUnavailableException("introspection returned no body"));
  }

  /** What a web-app API key may do; inactive for unknown or revoked keys. */
  public ApiKeyIntrospection introspectApiKey(String key) {
    return post("internal/v1/api-keys/introspect", Map.of("key", key), ApiKeyIntrospection.class)
        .orElseThrow(() -> new RegistryUnavailableException("introspection returned no body"));
  }

  /** The account's active SSH public keys; empty when the account does not exist. */
  public Optional<AccountSshKeys> sshKeys(String username) {
    return get("internal/v1/accounts/" + segment(username) + "/ssh-keys", AccountSshKeys.class);
  }

  /** The Cloud container route of an account; empty when none is set or no such account. */
  public Optional<ContainerRoute> containerRoute(String username) {
    return get(
        "internal/v1/accounts/" + segment(username) + "/container-route", ContainerRoute.class);
  }

  public Optional<JetsonSummary> jetson(UUID jetsonId) {
    return get("internal/v1/jetsons/" + jetsonId, JetsonSummary.class);
  }

  public Optional<JetsonSummary> jetsonBySubdomain(String subdomain) {
    return get("internal/v1/jetsons/by-subdomain/" + segment(subdomain), JetsonSummary.class);
  }

  /** The Jetson agent's last status report; empty when it never reported. */
  public Optional<JetsonStatus> jetsonStatus(UUID jetsonId) {
    return get("internal/v1/jetsons/" + jetsonId + "/status", JetsonStatus.class);
  }

  /**
   * The revocation feed's current cursor (no events): where a new {@link RevocationFeed} starts.
   */
  public long revocationCursor() {
    return get("internal/v1/revocations", Revocations.class)
        .orElseThrow(() -> new RegistryUnavailableException("revocation feed returned no body"))
        .cursor();
  }

  /**
   * Revocations after {@code after}; with {@code wait} > 0 a long-poll that answers as soon as one
   * exists, else after {@code wait} (at most 30 s) with no events.
   */
  public Revocations revocations(long after, Duration wait) {
    long seconds = Math.max(0, Math.min(30, wait.toSeconds()));
    HttpRequest request =
        request("internal/v1/revocations?after=" + after + "&wait=" + seconds)
            .timeout(requestTimeout.plusSeconds(seconds))
            .GET()
            .build();
    return send(request, Revocations.class)
        .orElseThrow(() -> new RegistryUnavailableException("revocation feed returned no body"));
  }

  /** Persists an audit event in the registry's audit table. */
  public void recordAudit(AuditEvent event) {
    post("internal/v1/audit-events", event, Void.class);
  }

  private <T> Optional<T> get(String path, Class<T> type) {
    HttpRequest request = request(path).GET().build();
    return send(request, type);
  }

  private <T> Optional<T> post(String path, Object body, Class<T> type) {
    byte[] payload;
    try {
      payload = json.writeValueAsBytes(body);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("cannot serialise request to the registry", e);
    }
    HttpRequest request =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(payload))
            .build();
    return send(request, type);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(baseUri.resolve(path))
        .timeout(requestTimeout)
        .header(BearerToken.HEADER, BearerToken.headerValue(serviceToken))
        .header("Accept", "application/json");
  }

  private <T> Optional<T> send(HttpRequest request, Class<T> type) {
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new RegistryUnavailableException(
          "registry unreachable: " + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnavailableException("interrupted while calling the registry");
    }
    int status = response.statusCode();
    if (status == 404) {
      return Optional.empty();
    }
    if (status < 200 || status > 299) {
      throw new RegistryUnavailableException(
          "registry answered HTTP "
              + status
              + " to "
              + request.method()
              + " "
              + request.uri().getPath());
    }
    if (type == Void.class || response.body().length == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(json.readValue(response.body(), type));
    } catch (JacksonException e) {
      throw new RegistryUnavailableException(
          "registry answered a body that is not the expected JSON");
    }
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
