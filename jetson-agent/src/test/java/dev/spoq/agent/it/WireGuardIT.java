package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.agent.Agent;
import dev.spoq.agent.cli.SpoqCli;
import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.util.SecureFiles;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent brings up a real wireguard-go interface (in a namespace) from the REAL registry's peer
 * set; a client namespace configured from the registry's client config handshakes and pings
 * 10.100.0.1; a device added later in the registry shows up on the interface through peer sync
 * while the first client's session keeps going (same handshake, uninterrupted pings).
 */
class WireGuardIT {

  static RunningRegistry registry;

  @BeforeAll
  static void startRegistry() {
    registry = SharedRegistry.get();
  }

  @Test
  void enrollsBringsUpWireGuardAndSyncsPeersWithoutDroppingSessions(@TempDir Path tmp)
      throws Exception {
    String user = "wg" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = tmp.resolve("state");
    int rc =
        SpoqCli.execute(
            "enroll",
            registry.newEnrollmentCode(account),
            "-c",
            tmp.resolve("none.toml").toString(),
            "--state-dir",
            state.toString(),
            "--registry-url",
            registry.baseUrl(),
            "--hostname",
            "jetson-it");
    assertThat(rc).isZero();
    Path key = state.resolve("wireguard/private.key");
    assertThat(SecureFiles.isOwnerOnly(key)).isTrue();
    assertThat(SecureFiles.isOwnerOnly(state.resolve("device.token"))).isTrue();
    String keyBefore = Files.readString(key);

    // First device, registered in the registry like the web app would.
    X25519.KeyPair phone = X25519.generate();
    var jetson = readState(state);
    RunningRegistry.Device phoneDevice =
        registry.addDevice(jetson.jetsonId, 1, "alice-phone", phone.publicKey().base64());

    try (NetworkNamespace jetsonNs = NetworkNamespace.create("ag-jet");
        NetworkNamespace phoneNs = NetworkNamespace.create("ag-phone")) {
      Veth.connect(jetsonNs, "192.168.61.1/24", phoneNs, "192.168.61.2/24");
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, registry.baseUrl(), iface);
      settings.put("wireguard.netns", jetsonNs.name());
      AgentConfig config = AgentSettings.config(settings);
      try (Agent agent = new Agent(config)) {
        agent.start();
        String dump = jetsonNs.exec("wg", "show", iface, "dump").output();
        assertThat(dump).contains(phone.publicKey().base64());
        assertThat(Files.readString(config.wgConfigFile()))
            .contains("Address = 10.100.0.1/24", "ListenPort = 51820", phone.publicKey().base64());

        WireGuardClient client =
            WireGuardClient.start(
                phoneNs,
                phoneDevice.clientConfig(),
                phone.privateKey().base64(),
                "192.168.61.1:51820",
                1,
                tmp.resolve("phone"));
        Wait.until(
            "the phone pings 10.100.0.1", Duration.ofSeconds(20), () -> client.ping("10.100.0.1"));
        long handshake = client.latestHandshake();
        assertThat(handshake).isPositive();

        // Status API: the seed's shape, peer with handshake and transfer counters.
        JsonNode status = status(agent.statusPort());
        assertThat(status.path("wireguard").path("interface").asString()).isEqualTo(iface);
        assertThat(status.path("wireguard").path("listen_port").asInt()).isEqualTo(51820);
        JsonNode peer = status.path("wireguard").path("peers").get(0);
        assertThat(peer.path("public_key").asString()).isEqualTo(phone.publicKey().base64());
        assertThat(peer.path("last_handshake").isNull()).isFalse();
        assertThat(peer.path("transfer_rx").asLong()).isPositive();
        assertThat(peer.path("endpoint").asString()).startsWith("192.168.61.2:");

        // A second device added in the registry appears without restarting the first session.
        X25519.KeyPair laptop = X25519.generate();
        registry.addDevice(jetson.jetsonId, 2, "bob-laptop", laptop.publicKey().base64());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int pings = 0;
        boolean synced = false;
        while (System.nanoTime() < deadline && !synced) {
          assertThat(client.ping("10.100.0.1")).as("ping during peer sync").isTrue();
          pings++;
          synced =
              jetsonNs
                  .exec("wg", "show", iface, "dump")
                  .output()
                  .contains(laptop.publicKey().base64());
        }
        assertThat(synced).as("second peer applied by peer sync").isTrue();
        assertThat(pings).isPositive();
        assertThat(client.ping("10.100.0.1")).isTrue();
        assertThat(client.latestHandshake())
            .as("wg syncconf kept the first session: no new handshake")
            .isEqualTo(handshake);
        assertThat(jetsonNs.exec("wg", "show", iface, "allowed-ips").output())
            .contains("10.100.0.10/32", "10.100.0.20/32");

        // The report reached the registry (pushed every 2 s).
        Wait.until(
            "a status report in the registry",
            Duration.ofSeconds(10),
            () -> registry.registryClient("test").jetsonStatus(jetson.jetsonId).isPresent());
      }
      assertThat(Files.readString(key)).as("the private key never changes").isEqualTo(keyBefore);
    }
  }

  record EnrolledState(java.util.UUID jetsonId) {}

  static EnrolledState readState(Path state) throws Exception {
    JsonNode json =
        JsonMapper.builder().build().readTree(state.resolve("agent-state.json").toFile());
    return new EnrolledState(java.util.UUID.fromString(json.get("jetson_id").asString()));
  }

  static JsonNode status(int port) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/device/status"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return JsonMapper.builder().build().readTree(r.body());
  }
}
