package dev.spoq.agent.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.agent.registry.ControlPlaneException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class RelayAssignmentTest {

  static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void readsTheCoordinatorsAnswerAndUsesItsFrpcConfigVerbatim() {
    String answer =
        """
        {"jetsonId":"8d1c3a52-0f0e-4c3e-9d0a-1b2c3d4e5f60",
         "relay":{"id":"eu-1","region":"eu","host":"relay-eu-1.spoq.dev","bindPort":7000,"status":"UP"},
         "remotePort":40017,"proxyName":"spoq-8d1c3a52-0f0e-4c3e-9d0a-1b2c3d4e5f60",
         "endpoint":"relay-eu-1.spoq.dev:40017","reason":"initial","changed":true,"fallbacks":[],
         "regions":[{"region":"eu","host":"relay-eu-1.spoq.dev","port":7000},
                    {"region":"us","host":"relay-us-1.spoq.dev","port":7000}],
         "relayCredential":"spoq_rly_x","frpcConfigFormat":"toml",
         "frpcConfig":"serverAddr = \\"relay-eu-1.spoq.dev\\"\\n"}
        """;
    RelayAssignment a = RelayAssignment.parse(JSON.readTree(answer));
    assertThat(a.server()).isEqualTo("relay-eu-1.spoq.dev:7000");
    assertThat(a.region()).isEqualTo("eu");
    assertThat(a.remotePort()).isEqualTo(40017);
    assertThat(a.regions())
        .extracting(RelayAssignment.Endpoint::region)
        .containsExactly("eu", "us");
    assertThat(a.renderFrpcToml(7400, 51820)).isEqualTo("serverAddr = \"relay-eu-1.spoq.dev\"\n");
  }

  @Test
  void rendersFrpcTomlFromFieldsWhenNoConfigIsGiven() {
    RelayAssignment a =
        RelayAssignment.parse(
            JSON.readTree(
                "{\"relay\":{\"host\":\"r.example\",\"bindPort\":7001},\"remotePort\":40100,"
                    + "\"proxyName\":\"spoq-x\",\"relayCredential\":\"spoq_rly_\\\"q\"}"));
    String toml = a.renderFrpcToml(7400, 51820);
    assertThat(toml)
        .contains("serverAddr = \"r.example\"", "serverPort = 7001")
        .contains("metadatas.spoq_relay_credential = \"spoq_rly_\\\"q\"")
        .contains(
            "type = \"udp\"", "localIP = \"127.0.0.1\"", "localPort = 51820", "remotePort = 40100")
        .contains("webServer.addr = \"127.0.0.1\"", "webServer.port = 7400");
  }

  @Test
  void garbageIsRefused() {
    assertThatThrownBy(() -> RelayAssignment.parse(JSON.readTree("[1,2]")))
        .isInstanceOf(ControlPlaneException.class);
    assertThatThrownBy(() -> RelayAssignment.parse(JSON.readTree("{\"relay\":{}}")))
        .hasMessageContaining("lacks the server");
  }
}
