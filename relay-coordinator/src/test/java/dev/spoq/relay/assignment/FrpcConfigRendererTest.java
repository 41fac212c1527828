package dev.spoq.relay.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.fleet.Relay;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/** The generated frpc config parsed by a real TOML parser and checked key by key. */
class FrpcConfigRendererTest {

  private final FrpcConfigRenderer renderer =
      new FrpcConfigRenderer(new RelayProperties(null, null, null, null));

  static void assertFrpcConfig(
      String toml,
      UUID jetsonId,
      String host,
      int bindPort,
      int remotePort,
      String authToken,
      String credential) {
    TomlParseResult t = Toml.parse(toml);
    assertThat(t.errors()).as("TOML errors").isEmpty();
    assertThat(t.getString("serverAddr")).isEqualTo(host);
    assertThat(t.getLong("serverPort")).isEqualTo(bindPort);
    assertThat(t.getBoolean("loginFailExit")).isFalse();
    assertThat(t.getString("auth.method")).isEqualTo("token");
    assertThat(t.getString("auth.token")).isEqualTo(authToken);
    TomlTable metadatas = t.getTable("metadatas");
    assertThat(metadatas.keySet()).containsExactly("spoq_relay_credential");
    assertThat(metadatas.getString("spoq_relay_credential")).isEqualTo(credential);
    assertThat(t.getString("webServer.addr")).isEqualTo("127.0.0.1");
    assertThat(t.getLong("webServer.port")).isEqualTo(7400L);
    // frpc's admin API (GET /api/config shows every secret) needs credentials
    assertThat(t.getString("webServer.user")).isEqualTo("spoq-agent");
    assertThat(t.getString("webServer.password")).startsWith("spoq_fad_").hasSize(52);
    assertThat(t.getLong("transport.heartbeatInterval")).isEqualTo(30L);
    assertThat(t.getLong("transport.heartbeatTimeout")).isEqualTo(90L);
    assertThat(t.contains("user")).as("no frpc user: it would prefix the proxy name").isFalse();
    assertThat(t.keySet())
        .containsExactlyInAnyOrder(
            "serverAddr",
            "serverPort",
            "loginFailExit",
            "auth",
            "metadatas",
            "webServer",
            "transport",
            "proxies");
    TomlArray proxies = t.getArray("proxies");
    assertThat(proxies.size()).isEqualTo(1);
    TomlTable proxy = proxies.getTable(0);
    assertThat(proxy.keySet())
        .containsExactlyInAnyOrder("name", "type", "localIP", "localPort", "remotePort");
    assertThat(proxy.getString("name")).isEqualTo("spoq-" + jetsonId);
    assertThat(proxy.getString("type")).isEqualTo("udp");
    assertThat(proxy.getString("localIP")).isEqualTo("127.0.0.1");
    assertThat(proxy.getLong("localPort")).isEqualTo(51820L);
    assertThat(proxy.getLong("remotePort")).isEqualTo((long) remotePort);
  }

  @Test
  void rendersFrpsCurrentTomlKeys() {
    UUID jetson = UUID.randomUUID();
    Relay relay =
        new Relay(
            "eu-1",
            Relay.FRP,
            "eu",
            "relay-eu-1.spoq.dev",
            7000,
            40000,
            40999,
            500,
            "http://a",
            "u",
            "p",
            Relay.UP,
            false,
            0,
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            0,
            null);
    String credential = "spoq_rly_" + "A".repeat(43);
    String toml =
        renderer.render(
            jetson, relay, 40017, "fleet-token", credential, "spoq_fad_" + "B".repeat(43));
    assertFrpcConfig(toml, jetson, "relay-eu-1.spoq.dev", 7000, 40017, "fleet-token", credential);
  }

  @Test
  void hostileValuesStayInsideTheirStrings() {
    UUID jetson = UUID.randomUUID();
    Relay relay =
        new Relay(
            "x",
            Relay.FRP,
            "us",
            "h.test",
            7000,
            40000,
            40999,
            1,
            "http://a",
            "u",
            "p",
            Relay.UP,
            false,
            0,
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            0,
            null);
    String token = "to\"ken\\\n[[proxies]]\nname = \"evil\"\u0001";
    String toml = renderer.render(jetson, relay, 40000, token, "spoq_rly_x", "p\"w");
    TomlParseResult t = Toml.parse(toml);
    assertThat(t.errors()).isEmpty();
    assertThat(t.getString("auth.token")).isEqualTo(token);
    assertThat(t.getArray("proxies").size()).isEqualTo(1);
  }

  @Test
  void withARelayCaFrpcVerifiesFrpsTls() {
    RelayProperties withCa =
        new RelayProperties(
            null,
            null,
            new RelayProperties.Relay(
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                new RelayProperties.Frpc(
                    null,
                    null,
                    null,
                    null,
                    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                    null),
                null,
                null),
            null);
    FrpcConfigRenderer tls = new FrpcConfigRenderer(withCa);
    assertThat(tls.verifiesTls()).isTrue();
    assertThat(renderer.verifiesTls()).isFalse();
    Relay relay =
        new Relay(
            "eu-1",
            Relay.FRP,
            "eu",
            "relay-eu-1.spoq.dev",
            7000,
            40000,
            40999,
            10,
            "http://a",
            "u",
            "p",
            Relay.UP,
            false,
            0,
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            0,
            null);
    TomlParseResult t =
        Toml.parse(tls.render(UUID.randomUUID(), relay, 40001, "tok", "spoq_rly_x", "pw"));
    assertThat(t.errors()).isEmpty();
    assertThat(t.getBoolean("transport.tls.enable")).isTrue();
    assertThat(t.getString("transport.tls.trustedCaFile")).isEqualTo("/var/lib/spoq/relay-ca.pem");
    assertThat(t.getString("transport.tls.serverName")).isEqualTo("relay-eu-1.spoq.dev");
  }
}
