package dev.spoq.relay.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.token.Tokens;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.RelayCoordinatorApplication;
import dev.spoq.relay.fleet.HealthPoller;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the service-level tests: the relay coordinator on a random port, on a fresh real
 * PostgreSQL database, talking to a real device registry ({@link SharedRegistry}) and a real
 * dns-api ({@link RunningDnsApi}). Every subclass shares the one Spring context; relay tables are
 * emptied before each test. Scheduled polling is off: tests drive {@link HealthPoller#pollAll()}
 * and the scraper themselves.
 */
@SpringBootTest(
    classes = RelayCoordinatorApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.config.name=relay-coordinator",
      "server.address=127.0.0.1",
      "logging.structured.format.console=",
      "spoq.relay.health.enabled=false",
      "spoq.relay.usage.enabled=false",
      "spoq.relay.health.failure-threshold=2",
      "spoq.relay.health.timeout=1s",
      "spoq.relay.plugin.revocation-cache-ttl=1s",
      "spoq.registry.auth-cache-ttl=1s",
      "spoq.relay.default-region=us",
      "spoq.relay.plugin-secret=" + RelayServiceTest.PLUGIN_SECRET,
      "spoq.relay.frps-auth-token=" + RelayServiceTest.FRPS_TOKEN,
      "spoq.relay.credential-key=test-credential-key-0123456789abcdef0123456789",
      // The frps admin stand-ins listen on loopback: allowed explicitly, as a real fleet never is.
      "spoq.relay.admin-url.allowed-ranges=127.0.0.0/8,10.0.0.0/8",
      // every test client is 127.0.0.1: AuthHardeningTest checks the limit with its own setting
      "spoq.relay.auth.max-failures-per-window=100000"
    })
public abstract class RelayServiceTest {

  public static final String PLUGIN_SECRET = "test_plugin_secret_0123456789";
  public static final String FRPS_TOKEN = "fleet-frps-token-for-tests";
  protected static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @DynamicPropertySource
  static void services(DynamicPropertyRegistry properties) {
    TestPostgres.register(properties, "relay");
    RunningRegistry registry = SharedRegistry.get();
    properties.add("spoq.registry.base-url", registry::baseUrl);
    properties.add("spoq.registry.service-token", () -> registry.serviceToken("relay-coordinator"));
    RunningDnsApi dnsApi = RunningDnsApi.get();
    properties.add("spoq.relay.connect.dns-api.base-url", dnsApi::baseUrl);
    properties.add(
        "spoq.relay.connect.dns-api.service-token", () -> RunningDnsApi.COORDINATOR_TOKEN);
  }

  @LocalServerPort protected int port;
  @Autowired protected JdbcClient jdbc;
  @Autowired protected HealthPoller health;

  protected final List<FrpsAdminStub> stubs = new ArrayList<>();

  protected RunningRegistry registry() {
    return SharedRegistry.get();
  }

  protected String admin() {
    return registry().adminKey();
  }

  @BeforeEach
  void emptyRelayTables() {
    jdbc.sql(
            "TRUNCATE plugin_event, jetson_usage, latency_report, relay_credential, assignment,"
                + " relay_session, jetson_key, relay")
        .update();
  }

  @AfterEach
  void stopStubs() {
    stubs.forEach(FrpsAdminStub::close);
    stubs.clear();
  }

  /** A raw HTTP answer. */
  public record Answer(int status, String body, HttpHeadersView headers) {
    public JsonNode json() {
      return JSON.readTree(body);
    }
  }

  public record HttpHeadersView(Map<String, List<String>> map) {
    public String first(String name) {
      return map.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  protected Answer call(String method, String path, String bearer, Object body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30));
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
      return new Answer(
          response.statusCode(), response.body(), new HttpHeadersView(response.headers().map()));
    } catch (IOException e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A new frps admin stand-in plus a relay registered against it (status UNKNOWN until polled). */
  protected FrpsAdminStub relay(
      String id, String region, int rangeStart, int rangeEnd, int capacity) throws IOException {
    FrpsAdminStub stub = new FrpsAdminStub("admin", "pw-" + id, 7000);
    stubs.add(stub);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", id);
    body.put("region", region);
    body.put("publicHost", id + ".relay.spoq.test");
    body.put("bindPort", 7000);
    body.put("udpPortRange", Map.of("start", rangeStart, "end", rangeEnd));
    body.put("capacity", capacity);
    body.put("adminUrl", stub.url());
    body.put("adminUser", "admin");
    body.put("adminPassword", "pw-" + id);
    Answer answer = call("POST", "/api/relays", admin(), body);
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
    return stub;
  }

  /** A JETSON account with one enrolled Jetson. */
  protected RunningRegistry.EnrolledJetson jetson(String prefix) {
    String name = prefix + UUID.randomUUID().toString().substring(0, 8);
    RunningRegistry.Account account =
        registry().createAccount(name, name, RunningRegistry.Product.JETSON);
    accounts.put(name, account);
    return registry()
        .enrollJetson(
            account,
            dev.spoq.common.wireguard.X25519.generate().publicKey().base64(),
            "jetson-" + name);
  }

  protected final Map<String, RunningRegistry.Account> accounts = new LinkedHashMap<>();

  protected RunningRegistry.Account accountOf(RunningRegistry.EnrolledJetson jetson) {
    return accounts.get(jetson.username());
  }

  protected static String randomToken(String prefix) {
    return Tokens.generate(prefix);
  }
}
