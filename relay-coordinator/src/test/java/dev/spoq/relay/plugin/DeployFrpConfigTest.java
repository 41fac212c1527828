package dev.spoq.relay.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.support.RelayServiceTest;
import dev.spoq.testsupport.frp.FrpTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;
import tools.jackson.databind.JsonNode;

/**
 * deploy/frp/frps.toml and frpc.toml, rendered the way frp renders them ({@link FrpTemplate}),
 * parsed as TOML, checked key by key, and the frps plugin path is called on the running service.
 */
class DeployFrpConfigTest extends RelayServiceTest {

  static String render(String template, Map<String, String> env) {
    return FrpTemplate.render(template, env);
  }

  private static String deployFile(String name) throws Exception {
    return Files.readString(Path.of("..", "deploy", "frp", name));
  }

  @Test
  void frpsTomlIsWiredToThisServicesPluginWithPrometheusOnTheAdminPort() throws Exception {
    relay("eu-1", "eu", 40000, 40009, 10);
    health.pollAll();
    String rendered =
        render(
            deployFile("frps.toml"),
            Map.of(
                "FRPS_AUTH_TOKEN", FRPS_TOKEN,
                "FRPS_PLUGIN_ADDR", "127.0.0.1:" + port,
                "FRPS_PLUGIN_SECRET", PLUGIN_SECRET,
                "FRPS_RELAY_ID", "eu-1",
                "FRPS_ALLOW_PORTS", "40000-40009",
                "FRPS_ADMIN_USER", "admin",
                "FRPS_ADMIN_PASSWORD", "pw-eu-1"));
    TomlParseResult t = Toml.parse(rendered);
    assertThat(t.errors()).isEmpty();
    assertThat(t.getLong("bindPort")).isEqualTo(7000L);
    assertThat(t.getString("auth.method")).isEqualTo("token");
    assertThat(t.getString("auth.token")).isEqualTo(FRPS_TOKEN);
    assertThat(t.getLong("webServer.port")).isEqualTo(7500L);
    assertThat(t.getString("webServer.user")).isEqualTo("admin");
    assertThat(t.getString("webServer.password")).isEqualTo("pw-eu-1");
    assertThat(t.getBoolean("enablePrometheus")).isTrue();
    assertThat(t.getLong("maxPortsPerClient")).isEqualTo(1L);
    // a revoked Jetson whose frpc ignores error Pongs is closed by frps itself: its last accepted
    // Ping ages past heartbeatTimeout (frps's default with tcpMux is -1, never)
    long frpcInterval = 30;
    assertThat(t.getLong("transport.heartbeatTimeout")).isBetween(2 * frpcInterval, 120L);
    assertThat(t.contains("transport.tls.force")).isFalse();
    TomlArray allow = t.getArray("allowPorts");
    assertThat(allow.size()).isEqualTo(10);
    assertThat(allow.getTable(0).getLong("single")).isEqualTo(40000L);
    assertThat(allow.getTable(9).getLong("single")).isEqualTo(40009L);
    TomlArray plugins = t.getArray("httpPlugins");
    assertThat(plugins.size()).isEqualTo(1);
    TomlTable plugin = plugins.getTable(0);
    assertThat(plugin.getArray("ops").toList())
        .containsExactly("Login", "NewProxy", "Ping", "CloseProxy");

    // what frps would POST to that addr + path: a Login of a Jetson assigned to eu-1
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    JsonNode assignment = call("GET", "/api/relay/assignment", alice.deviceToken(), null).json();
    Map<String, Object> content =
        Map.of(
            "version", "0.61.1",
            "run_id", "abc",
            "metas", Map.of("spoq_relay_credential", assignment.get("relayCredential").asString()),
            "privilege_key", "x",
            "timestamp", 1);
    Answer answer =
        call(
            "POST",
            plugin.getString("path") + "?version=0.1.0&op=Login",
            null,
            Map.of("version", "0.1.0", "op", "Login", "content", content));
    assertThat(plugin.getString("addr")).isEqualTo("127.0.0.1:" + port);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().get("reject").asBoolean()).isFalse();
    assertThat(answer.json().get("unchange").asBoolean()).isTrue();
  }

  @Test
  void frpsTomlGatewayVariantCallsTheLocalGatewayWithoutASecret() throws Exception {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("FRPS_AUTH_TOKEN", FRPS_TOKEN);
    env.put("FRPS_PLUGIN_GATEWAY", "127.0.0.1:7200");
    env.put("FRPS_ALLOW_PORTS", "40000-40009");
    env.put("FRPS_ADMIN_USER", "admin");
    env.put("FRPS_ADMIN_PASSWORD", "pw-eu-1");
    // FRPS_PLUGIN_ADDR, FRPS_PLUGIN_SECRET and FRPS_RELAY_ID are not set: the variant needs none
    String rendered = render(deployFile("frps.toml"), env);
    TomlParseResult t = Toml.parse(rendered);
    assertThat(t.errors()).isEmpty();
    TomlTable plugin = t.getArray("httpPlugins").getTable(0);
    assertThat(plugin.getString("addr")).isEqualTo("127.0.0.1:7200");
    assertThat(plugin.getString("path")).isEqualTo("/frps-plugin");
    assertThat(plugin.getArray("ops").toList())
        .containsExactly("Login", "NewProxy", "Ping", "CloseProxy");
    assertThat(t.getLong("transport.heartbeatTimeout")).isEqualTo(90L);
    assertThat(rendered).doesNotContain(PLUGIN_SECRET);
  }

  @Test
  void frpcTemplateRendersToTheSameConfigTheCoordinatorGenerates() throws Exception {
    relay("eu-1", "eu", 40000, 40009, 10);
    health.pollAll();
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    JsonNode a = call("GET", "/api/relay/assignment", alice.deviceToken(), null).json();
    String rendered =
        render(
            deployFile("frpc.toml"),
            Map.of(
                "SPOQ_RELAY_HOST", a.get("relay").get("host").asString(),
                "SPOQ_RELAY_BIND_PORT", a.get("relay").get("bindPort").asString(),
                "SPOQ_FRPS_AUTH_TOKEN", FRPS_TOKEN,
                "SPOQ_RELAY_CREDENTIAL", a.get("relayCredential").asString(),
                "SPOQ_PROXY_NAME", a.get("proxyName").asString(),
                "SPOQ_REMOTE_PORT", a.get("remotePort").asString(),
                "SPOQ_FRPC_ADMIN_PASSWORD", a.get("frpcAdminPassword").asString()));
    TomlParseResult fromTemplate = Toml.parse(rendered);
    TomlParseResult generated = Toml.parse(a.get("frpcConfig").asString());
    assertThat(fromTemplate.errors()).isEmpty();
    assertThat(fromTemplate.toJson()).isEqualTo(generated.toJson());
  }
}
