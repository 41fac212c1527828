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
    assertThat(a.kind()).as("no kind: an frp relay (older coordinators)").isEqualTo("frp");
    assertThat(a.frpcConfig()).isEqualTo("serverAddr = \"relay-eu-1.spoq.dev\"\n");
  }

  @Test
  void anFrpAnswerWithoutTheCoordinatorsFrpcConfigIsRefused() {
    // The agent used to render a fallback frpc.toml of its own: without heartbeats and with a
    // proxy name the coordinator's plugin refuses. It renders none now (issue 13 item 20).
    assertThatThrownBy(
            () ->
                RelayAssignment.parse(
                    JSON.readTree(
                        "{\"kind\":\"frp\",\"relay\":{\"host\":\"r.example\",\"bindPort\":7001},"
                            + "\"remotePort\":40100,\"relayCredential\":\"spoq_rly_q\"}")))
        .isInstanceOf(ControlPlaneException.class)
        .hasMessageContaining("lacks the frpc config");
  }

  @Test
  void readsASpoqRelayAssignment() {
    RelayAssignment a =
        RelayAssignment.parse(
            JSON.readTree(
                """
                {"kind":"spoq","relay":{"id":"eu-2","host":"relay-eu-2.spoq.dev","wgPort":51820,
                 "agentPort":51821,"region":"eu"},"credential":"spoq_rly_secret"}
                """));
    assertThat(a.spoq()).isTrue();
    assertThat(a.server()).isEqualTo("relay-eu-2.spoq.dev:51820");
    assertThat(a.agentPort()).isEqualTo(51821);
    assertThat(a.relayId()).isEqualTo("eu-2");
    assertThat(a.toString()).doesNotContain("spoq_rly_secret");
    assertThatThrownBy(
            () ->
                RelayAssignment.parse(
                    JSON.readTree("{\"kind\":\"spoq\",\"relay\":{\"host\":\"r\"}}")))
        .hasMessageContaining("lacks the host, ports or credential");
    assertThatThrownBy(() -> RelayAssignment.parse(JSON.readTree("{\"kind\":\"x\",\"relay\":{}}")))
        .hasMessageContaining("unknown relay kind");
  }

  @Test
  void garbageIsRefused() {
    assertThatThrownBy(() -> RelayAssignment.parse(JSON.readTree("[1,2]")))
        .isInstanceOf(ControlPlaneException.class);
    assertThatThrownBy(() -> RelayAssignment.parse(JSON.readTree("{\"relay\":{}}")))
        .hasMessageContaining("lacks the frpc config");
  }
}
