package dev.spoq.e2e.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.e2e.harness.Bind;
import dev.spoq.e2e.harness.MiniUpnpd;
import dev.spoq.e2e.harness.Topology;
import dev.spoq.e2e.harness.WorkDir;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The simulated internet itself behaves like the real one before any product runs on it: NATs
 * translate, unsolicited inbound traffic dies at both NATs, the authoritative DNS answers, and
 * miniupnpd comes up on a public-looking WAN address.
 */
@Tag("e2e")
@Tag("topology")
@Timeout(120)
class TopologyIT {

  @Test
  void natsDnsAndUpnpBehaveLikeTheInternet() {
    Path work = WorkDir.create("topology");
    try (Topology net = new Topology()) {
      // Phone and Jetson reach the public internet through their NATs.
      assertThat(net.phone.ping(Topology.CLOUD_IP, 2)).isTrue();
      assertThat(net.jetson.ping(Topology.CLOUD_IP, 2)).isTrue();
      // Nobody reaches the home LAN or the carrier's customers from outside.
      assertThat(net.cloud.ping(Topology.JETSON_LAN_IP, 1)).isFalse();
      assertThat(net.cloud.ping(Topology.PHONE_IP, 1)).isFalse();
      // Cloud containers are private to the cloud.
      assertThat(net.phone.ping(Topology.CAROL_CONTAINER_IP, 1)).isFalse();
      assertThat(net.cloud.ping(Topology.CAROL_CONTAINER_IP, 2)).isTrue();

      Bind bind =
          net.own(new Bind(net.dns, Topology.DNS_IP, "spoq.dev", work, Topology.CLOUD_IP)).start();
      assertThat(Bind.lookup(net.phone, Topology.DNS_IP, "ssh.spoq.dev"))
          .containsExactly(Topology.CLOUD_IP);
      assertThat(Bind.lookup(net.phone, Topology.DNS_IP, "alice.spoq.dev")).isEmpty();

      MiniUpnpd upnp =
          net.own(new MiniUpnpd(net.home, work, net.homeWanIf, net.homeLanIf, "192.168.1.0/24"))
              .start();
      assertThat(upnp.running()).isTrue();
      // The router's firewall drops unsolicited inbound traffic, but the LAN still gets out.
      assertThat(net.jetson.ping(Topology.CLOUD_IP, 2)).isTrue();
      assertThat(net.cloud.ping(Topology.HOME_WAN_IP, 2)).isTrue();

      net.changeHomeWanAddress();
      assertThat(net.jetson.ping(Topology.CLOUD_IP, 2)).isTrue();
      assertThat(net.cloud.ping(Topology.HOME_WAN_IP, 1)).isFalse();
      assertThat(net.cloud.ping(Topology.HOME_WAN_IP_2, 2)).isTrue();
    }
  }
}
