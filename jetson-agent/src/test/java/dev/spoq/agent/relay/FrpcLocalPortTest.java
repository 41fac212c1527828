package dev.spoq.agent.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FrpcLocalPortTest {

  @Test
  void everyProxyForwardsToTheWireGuardListenPort() {
    String toml =
        """
        serverAddr = "relay-eu-1.spoq.dev"
        serverPort = 7000

        [[proxies]]
        name = "jetson-1"
        type = "udp"
        localIP = "127.0.0.1"
        localPort = 51820
        remotePort = 40001
        """;
    String moved = FrpcLocalPort.apply(toml, 51821);
    assertThat(moved).contains("localPort = 51821").doesNotContain("51820");
    assertThat(moved).contains("serverPort = 7000", "remotePort = 40001");
    assertThat(FrpcLocalPort.apply(toml, 51820)).isEqualTo(toml);
  }
}
