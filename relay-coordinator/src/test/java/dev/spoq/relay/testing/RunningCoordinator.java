package dev.spoq.relay.testing;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.RelayCoordinatorApplication;
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
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real relay-coordinator for other modules' tests: {@link RelayCoordinatorApplication} in-process
 * on a free loopback port and a fresh {@link TestPostgres} database, authenticating everything
 * through the given real {@link RunningRegistry}.
 *
 * <p>Usage (relay-server, jetson-agent, e2e):
 *
 * <pre>{@code
 * try (RunningRegistry registry = RunningRegistry.start();
 *      RunningCoordinator coordinator = RunningCoordinator.start(registry)) {
 *   RunningCoordinator.SpoqRelay relay = coordinator.registerSpoqRelay("eu-1", "eu", "127.0.0.1", 51820, 51821, 100);
 *   // relay-server: GET coordinator.baseUrl() + "/internal/v1/relay-servers/eu-1/jetsons" with relay.token()
 *   JsonNode assignment = coordinator.assignment(enrolledJetson.deviceToken()); // what the agent fetches
 * }
 * }</pre>
 *
 * A spoq relay is UNKNOWN until its first report (then UP); {@link #registerSpoqRelay} sends an
 * empty report for it so Jetsons can be assigned at once. Other settings: {@code
 * RunningCoordinator.builder(registry).property("spoq.relay.spoq.report-timeout", "5s").start()}.
 */
public final class RunningCoordinator implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A registered spoq relay and its relay token. */
  public record SpoqRelay(String id, String token) {}

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

  /** Extra properties for {@link #start()}. */
  public static final class Builder {
    private final RunningRegistry registry;
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private TestPostgres.Database database;

    private Builder(RunningRegistry registry) {
      this.registry = registry;
    }

    public Builder property(String name, Object value) {
      properties.put(name, value);
      return this;
    }

    /** Run on an existing database (e.g. a second replica on the same one). */
    public Builder database(TestPostgres.Database db) {
      this.database = db;
      return this;
    }

    public RunningCoordinator start() {
      return RunningCoordinator.start(this);
    }
  }

  private final ConfigurableApplicationContext context;
  private final RunningRegistry registry;
  private final TestPostgres.Database database;
  private final String baseUrl;

  private RunningCoordinator(
      ConfigurableApplicationContext context,
      RunningRegistry registry,
      TestPostgres.Database database) {
    this.context = context;
    this.registry = registry;
    this.database = database;
    this.baseUrl = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }

  public static Builder builder(RunningRegistry registry) {
    return new Builder(registry);
  }

  public static RunningCoordinator start(RunningRegistry registry) {
    return builder(registry).start();
  }

  private static RunningCoordinator start(Builder builder) {
    TestPostgres.Database db =
        builder.database != null ? builder.database : TestPostgres.newDatabase("relay");
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("server.port", "0");
    props.put("server.address", "127.0.0.1");
    props.put("spring.datasource.url", db.jdbcUrl());
    props.put("spring.datasource.username", db.username());
    props.put("spring.datasource.password", db.password());
    props.put("spring.datasource.hikari.maximum-pool-size", "10");
    props.put("spoq.registry.base-url", builder.registry.baseUrl());
    props.put("spoq.registry.service-token", builder.registry.serviceToken("relay-coordinator"));
    props.put("spoq.relay.plugin-secret", "running_coordinator_plugin_secret");
    props.put("spoq.relay.frps-auth-token", "running-coordinator-frps-token");
    props.put("spoq.relay.credential-key", "running-coordinator-credential-key-0123456789");
    // Test relays' frps admin stand-ins listen on loopback; a real fleet never allows it.
    props.put("spoq.relay.admin-url.allowed-ranges", "127.0.0.0/8");
    props.put("logging.structured.format.console", "");
    props.putAll(builder.properties);
    String[] args =
        props.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(RelayCoordinatorApplication.class)
            .properties("spring.config.name=relay-coordinator")
            .run(args);
    return new RunningCoordinator(context, builder.registry, db);
  }

  public String baseUrl() {
    return baseUrl;
  }

  public int port() {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  public TestPostgres.Database database() {
    return database;
  }

  public ConfigurableApplicationContext context() {
    return context;
  }

  /**
   * Registers a spoq relay (admin API) and reports it alive once, so it is UP. Keep it UP by
   * reporting at least every {@code spoq.relay.spoq.report-timeout} (30 s), as relay-server does.
   */
  public SpoqRelay registerSpoqRelay(
      String id, String region, String publicHost, int wgPort, int agentPort, int capacity) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("kind", "spoq");
    body.put("region", region);
    body.put("publicHost", publicHost);
    body.put("wgPort", wgPort);
    body.put("agentPort", agentPort);
    body.put("capacity", capacity);
    Response created = call("POST", "/api/relays", registry.adminKey(), body);
    if (created.status() != 201) {
      throw new IllegalStateException("relay registration failed: " + created.body());
    }
    SpoqRelay relay = new SpoqRelay(id, created.json().get("relayToken").asString());
    report(relay, "{\"startedAt\":\"" + java.time.Instant.now() + "\",\"sessions\":[]}");
    return relay;
  }

  /** POST the relay-server report (raw JSON body); answers the status (204 when accepted). */
  public int report(SpoqRelay relay, String body) {
    return call("POST", "/internal/v1/relay-servers/" + relay.id() + "/report", relay.token(), body)
        .status();
  }

  /** What the agent fetches: {@code GET /api/relay/assignment} with its device token. */
  public JsonNode assignment(String deviceToken) {
    Response r = call("GET", "/api/relay/assignment", deviceToken, null);
    if (r.status() != 200) {
      throw new IllegalStateException("assignment failed: " + r.status() + " " + r.body());
    }
    return r.json();
  }

  /** Any call; {@code body} is a JSON string or an object serialised as JSON. */
  public Response call(String method, String path, String bearer, Object body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60));
    if (bearer != null) {
      request.header(BearerToken.HEADER, BearerToken.headerValue(bearer));
    }
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
          HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body(), response.headers().map());
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    context.close();
  }
}
