package dev.spoq.registry.testing;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.token.Tokens;
import dev.spoq.registry.DeviceRegistryApplication;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real device registry for tests: {@link DeviceRegistryApplication} started in-process on a free
 * port and a fresh {@link TestPostgres} database, with known service tokens and an admin key.
 *
 * <p>Usage: {@code try (RunningRegistry registry = RunningRegistry.start()) { ... }} (or keep one
 * in a static field for a test class and close it in {@code @AfterAll}). Service tokens exist for
 * {@link #DEFAULT_SERVICES} ({@code registry.serviceToken("dns-api")}); each of dns-api,
 * relay-coordinator and jump-router may call only the internal operations it needs in production
 * (see {@code ServiceScopes}), {@code test} and {@code e2e} may call all of them; more, or any
 * other {@code spoq.*}/Spring property, via {@code RunningRegistry.builder().serviceToken("x",
 * "...") .property("spoq.domain", "example.test").start()}. {@link #replicaOf} starts a second
 * replica on the same database (push and revocation tests across replicas). Point your service at
 * {@link #baseUrl()} with {@code spoq.registry.service-token =
 * registry.serviceToken("<your-service>")}, or call the internal API with {@link
 * #registryClient(String)}. Set up data THROUGH THE REST API like the web app: {@link
 * #createAccount} (returns the account and an ACCOUNT-scoped API key), {@link #newEnrollmentCode},
 * {@link #enrollJetson} (returns the device token the agent would hold), {@link #addDevice}, {@link
 * #addSshKey}, {@link #setContainerRoute}, {@link #revokeJetson}, {@link #revokeSshKey}, {@link
 * #rotateDeviceToken}. For anything else use {@link #call} with {@link #adminKey()}, an account key
 * or a device token. The agent-facing and web-app endpoints are listed in {@code
 * device-registry/README.md}.
 */
public final class RunningRegistry implements AutoCloseable {

  /** Services that get a generated token by default. */
  public static final List<String> DEFAULT_SERVICES =
      List.of("dns-api", "relay-coordinator", "jump-router", "jetson-agent", "e2e", "test");

  public enum Product {
    CLOUD,
    JETSON
  }

  public record Account(
      UUID id, String username, String subdomain, Product product, String apiKey) {}

  public record EnrolledJetson(
      UUID jetsonId,
      UUID accountId,
      String deviceToken,
      String username,
      String subdomain,
      String fqdn,
      String publicKey) {}

  public record Device(
      UUID id, UUID jetsonId, int profile, String name, String address, String clientConfig) {}

  public record SshKey(UUID id, String publicKey, String fingerprint) {}

  /** A raw HTTP answer. */
  public record Response(int status, String body, Map<String, List<String>> headers) {
    public JsonNode json() {
      return JSON.readTree(body);
    }

    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  /** Extra properties and service tokens for {@link #start()}. */
  public static final class Builder {
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private final Map<String, String> serviceTokens = new LinkedHashMap<>();
    private TestPostgres.Database database;

    private Builder() {
      for (String service : DEFAULT_SERVICES) {
        serviceTokens.put(service, Tokens.generate("spoq_svc"));
      }
    }

    public Builder property(String name, Object value) {
      properties.put(name, value);
      return this;
    }

    public Builder properties(Map<String, ?> more) {
      properties.putAll(more);
      return this;
    }

    public Builder serviceToken(String service, String token) {
      serviceTokens.put(service, token);
      return this;
    }

    /** Runs on an existing database (a replica) instead of a fresh one. */
    public Builder database(TestPostgres.Database existing) {
      this.database = existing;
      return this;
    }

    public RunningRegistry start() {
      return RunningRegistry.start(this);
    }
  }

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final ConfigurableApplicationContext context;
  private final String baseUrl;
  private final String adminKey;
  private final Map<String, String> serviceTokens;
  private final TestPostgres.Database database;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private RunningRegistry(
      ConfigurableApplicationContext context,
      String adminKey,
      Map<String, String> serviceTokens,
      TestPostgres.Database database) {
    this.context = context;
    this.adminKey = adminKey;
    this.serviceTokens = Map.copyOf(serviceTokens);
    this.database = database;
    this.baseUrl = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A registry with the default service tokens and a generated admin key. */
  public static RunningRegistry start() {
    return builder().start();
  }

  /**
   * A second replica of {@code first}: the same database, service tokens and admin key, its own
   * port, caches and LISTEN connection (as two registry processes behind a load balancer).
   */
  public static RunningRegistry replicaOf(RunningRegistry first) {
    return replicaOf(first, Map.of());
  }

  /** {@link #replicaOf(RunningRegistry)} with extra properties for the new replica. */
  public static RunningRegistry replicaOf(RunningRegistry first, Map<String, ?> extraProperties) {
    Builder builder =
        builder()
            .database(first.database)
            .property("spoq.security.bootstrap-admin-key", first.adminKey)
            .properties(extraProperties);
    first.serviceTokens.forEach(builder::serviceToken);
    return builder.start();
  }

  /** A registry with extra properties (e.g. {@code spoq.domain}). */
  public static RunningRegistry start(Map<String, ?> extraProperties) {
    return builder().properties(extraProperties).start();
  }

  private static RunningRegistry start(Builder builder) {
    TestPostgres.Database db =
        builder.database != null ? builder.database : TestPostgres.newDatabase("registry");
    String adminKey = Tokens.generate("spoq_key");
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("spring.config.name", "device-registry");
    props.put("server.port", "0");
    props.put("server.address", "127.0.0.1");
    props.put("spring.datasource.url", db.jdbcUrl());
    props.put("spring.datasource.username", db.username());
    props.put("spring.datasource.password", db.password());
    props.put("spring.datasource.hikari.maximum-pool-size", "10");
    props.put("spoq.security.bootstrap-admin-key", adminKey);
    props.put("logging.structured.format.console", "");
    builder.serviceTokens.forEach(
        (service, token) -> props.put("spoq.security.service-tokens." + service, token));
    // Test containers (sshd) listen on loopback; production allows the private ranges only.
    props.put(
        "spoq.routes.allowed-ranges",
        "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,127.0.0.0/8");
    // Tests fail authentication on purpose, all from 127.0.0.1: no lockout unless a test asks.
    props.put("spoq.security.failed-auth.limit", "1000000");
    // dns-api, relay-coordinator and jump-router get their production scopes; the test callers all.
    for (String all : List.of("test", "e2e")) {
      props.put("spoq.security.service-scopes." + all, "*");
    }
    props.putAll(builder.properties);
    Object configuredAdmin = props.get("spoq.security.bootstrap-admin-key");
    // Command-line arguments outrank the module's device-registry.yml (default properties do not).
    String[] args =
        props.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(DeviceRegistryApplication.class)
            .properties("spring.config.name=device-registry")
            .run(args);
    return new RunningRegistry(context, String.valueOf(configuredAdmin), builder.serviceTokens, db);
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** The bootstrap ADMIN API key. */
  public String adminKey() {
    return adminKey;
  }

  /** The service token configured for {@code service} (see {@link #DEFAULT_SERVICES}). */
  public String serviceToken(String service) {
    String token = serviceTokens.get(service);
    if (token == null) {
      throw new IllegalArgumentException(
          "no service token for '" + service + "'; configured: " + serviceTokens.keySet());
    }
    return token;
  }

  /** The typed internal-API client, authenticated as {@code service}. */
  public RegistryClient registryClient(String service) {
    return new RegistryClient(URI.create(baseUrl), serviceToken(service), Duration.ofSeconds(5));
  }

  /** The test database, e.g. to assert on rows. */
  public TestPostgres.Database database() {
    return database;
  }

  public ConfigurableApplicationContext context() {
    return context;
  }

  // ---- web-app style helpers (through the REST API, with the admin key) ----

  /** Creates an account and an ACCOUNT-scoped API key for it. */
  public Account createAccount(String username, String subdomain, Product product) {
    JsonNode account =
        expect(
                201,
                call(
                    "POST",
                    "/api/accounts",
                    adminKey,
                    Map.of(
                        "username", username, "subdomain", subdomain, "product", product.name())))
            .json();
    JsonNode key =
        expect(
                201,
                call(
                    "POST",
                    "/api/api-keys",
                    adminKey,
                    Map.of("scope", "ACCOUNT", "username", username, "name", "web-" + username)))
            .json();
    return new Account(
        UUID.fromString(account.get("id").asString()),
        username,
        subdomain,
        product,
        key.get("key").asString());
  }

  /** A fresh single-use enrollment code (15 minutes) for a JETSON account. */
  public String newEnrollmentCode(Account account) {
    return expect(
            201,
            call(
                "POST",
                "/api/accounts/" + account.username() + "/enrollment-codes",
                account.apiKey(),
                null))
        .json()
        .get("code")
        .asString();
  }

  /** What the agent does: trades the code for a device token. */
  public EnrolledJetson enrollJetson(String code, String publicKey, String hostname) {
    JsonNode body =
        expect(
                201,
                call(
                    "POST",
                    "/api/jetsons/enroll",
                    null,
                    Map.of("code", code, "publicKey", publicKey, "hostname", hostname)))
            .json();
    return new EnrolledJetson(
        UUID.fromString(body.get("jetsonId").asString()),
        UUID.fromString(body.get("accountId").asString()),
        body.get("deviceToken").asString(),
        body.get("username").asString(),
        body.get("subdomain").asString(),
        body.get("fqdn").asString(),
        body.get("publicKey").asString());
  }

  /** Code + enrollment in one step. */
  public EnrolledJetson enrollJetson(Account account, String publicKey, String hostname) {
    return enrollJetson(newEnrollmentCode(account), publicKey, hostname);
  }

  /** Creates the profile if it does not exist yet (profile 1 always exists). */
  public void ensureProfile(UUID jetsonId, int profile) {
    Response existing =
        expect(200, call("GET", "/api/jetsons/" + jetsonId + "/profiles", adminKey, null));
    for (JsonNode p : existing.json()) {
      if (p.get("number").asInt() == profile) {
        return;
      }
    }
    expect(
        201,
        call(
            "POST",
            "/api/jetsons/" + jetsonId + "/profiles",
            adminKey,
            Map.of("number", profile, "name", "profile-" + profile)));
  }

  /** Registers a device (creating its profile when needed) and returns its address and config. */
  public Device addDevice(UUID jetsonId, int profile, String name, String publicKey) {
    ensureProfile(jetsonId, profile);
    JsonNode body =
        expect(
                201,
                call(
                    "POST",
                    "/api/jetsons/" + jetsonId + "/devices",
                    adminKey,
                    Map.of("name", name, "profile", profile, "publicKey", publicKey)))
            .json();
    JsonNode device = body.get("device");
    return new Device(
        UUID.fromString(device.get("id").asString()),
        jetsonId,
        device.get("profile").asInt(),
        device.get("name").asString(),
        device.get("address").asString(),
        body.get("clientConfig").get("config").asString());
  }

  /** Adds an OpenSSH public key line ({@code ssh-ed25519 AAAA... comment}) to the account. */
  public SshKey addSshKey(String username, String opensshLine) {
    JsonNode key =
        expect(
                201,
                call(
                    "POST",
                    "/api/accounts/" + username + "/ssh-keys",
                    adminKey,
                    Map.of("publicKey", opensshLine)))
            .json();
    return new SshKey(
        UUID.fromString(key.get("id").asString()),
        key.get("publicKey").asString(),
        key.get("fingerprint").asString());
  }

  /** Sets a CLOUD account's container route (host, SSH port, host key line). */
  public void setContainerRoute(String username, String host, int port, String hostKeyLine) {
    expect(
        200,
        call(
            "PUT",
            "/api/accounts/" + username + "/container-route",
            adminKey,
            Map.of("host", host, "port", port, "hostKey", hostKeyLine)));
  }

  public void revokeJetson(UUID jetsonId) {
    expect(200, call("POST", "/api/jetsons/" + jetsonId + "/revoke", adminKey, null));
  }

  public void revokeSshKey(String username, UUID keyId) {
    expect(200, call("DELETE", "/api/accounts/" + username + "/ssh-keys/" + keyId, adminKey, null));
  }

  /** Issues a new device token; the old one stops working at once. Returns the new token. */
  public String rotateDeviceToken(UUID jetsonId) {
    return expect(
            200, call("POST", "/api/jetsons/" + jetsonId + "/device-token/rotate", adminKey, null))
        .json()
        .get("deviceToken")
        .asString();
  }

  /** The agent's status report ({@code PUT /api/jetsons/self/status}). */
  public void reportStatus(String deviceToken, Map<String, ?> report) {
    expect(200, call("PUT", "/api/jetsons/self/status", deviceToken, report));
  }

  // ---- raw HTTP ----

  /** Any request; {@code body} is serialised as JSON (a String is sent as-is). */
  public Response call(String method, String path, String bearer, Object body) {
    return call(method, path, bearer, body, Map.of());
  }

  public Response call(
      String method, String path, String bearer, Object body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (bearer != null) {
      request.header(BearerToken.HEADER, BearerToken.headerValue(bearer));
    }
    headers.forEach(request::header);
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      String text = body instanceof String s ? s : JSON.writeValueAsString(body);
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8));
    }
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Response(response.statusCode(), response.body(), response.headers().map());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static Response expect(int status, Response response) {
    if (response.status() != status) {
      throw new IllegalStateException(
          "expected HTTP " + status + " but got " + response.status() + ": " + response.body());
    }
    return response;
  }

  @Override
  public void close() {
    context.close();
  }
}
