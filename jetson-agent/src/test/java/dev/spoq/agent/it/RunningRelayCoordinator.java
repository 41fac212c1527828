package dev.spoq.agent.it;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.RelayCoordinatorApplication;
import dev.spoq.relay.support.FrpsAdminStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The REAL relay-coordinator in-process (own PostgreSQL, device tokens checked against the real
 * registry), with one relay registered through its admin API. frps is not installable here, so the
 * relay's admin API is the coordinator module's own frps stand-in; the health poller marks it UP.
 */
final class RunningRelayCoordinator implements AutoCloseable {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  final FrpsAdminStub frpsAdmin;
  private final ConfigurableApplicationContext context;
  private final RunningRegistry registry;

  RunningRelayCoordinator(RunningRegistry registry, String relayHost, int bindPort)
      throws Exception {
    this.registry = registry;
    frpsAdmin = new FrpsAdminStub("admin", "frps-admin-pw", bindPort);
    Map<String, String> props = new LinkedHashMap<>();
    props.put("spoq.relay.health.interval", "1s");
    props.put("spoq.relay.usage.enabled", "false");
    props.put("spoq.relay.default-region", "eu");
    props.put("spoq.relay.plugin-secret", "agent_test_plugin_secret_0123456789");
    props.put("spoq.relay.frps-auth-token", "agent-test-frps-token");
    props.put("spoq.relay.credential-key", "agent-test-credential-key-0123456789abcdef0123");
    // The frps admin stand-in listens on loopback; a real fleet never allows that range.
    props.put("spoq.relay.admin-url.allowed-ranges", "127.0.0.0/8");
    context =
        EmbeddedService.start(
            RelayCoordinatorApplication.class, "relay-coordinator", registry, props);
    Map<String, Object> relay = new LinkedHashMap<>();
    relay.put("id", "eu-1");
    relay.put("region", "eu");
    relay.put("publicHost", relayHost);
    relay.put("bindPort", bindPort);
    relay.put("udpPortRange", Map.of("start", 40000, "end", 40099));
    relay.put("capacity", 50);
    relay.put("adminUrl", frpsAdmin.url());
    relay.put("adminUser", "admin");
    relay.put("adminPassword", "frps-admin-pw");
    HttpResponse<String> created = send("POST", "/api/relays", JSON.writeValueAsString(relay));
    if (created.statusCode() != 201) {
      throw new IllegalStateException("relay registration failed: " + created.body());
    }
    Wait.until(
        "relay eu-1 UP",
        Duration.ofSeconds(30),
        () -> send("GET", "/api/relays/eu-1", null).body().contains("\"UP\""),
        () -> send("GET", "/api/relays/eu-1", null).body());
  }

  int port() {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  HttpResponse<String> send(String method, String path, String body) {
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
              .header("Authorization", "Bearer " + registry.adminKey())
              .timeout(Duration.ofSeconds(20));
      if (body == null) {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        b.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body));
      }
      return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    context.close();
    frpsAdmin.close();
  }
}
