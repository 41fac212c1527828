package dev.spoq.testsupport.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkNamespaceTest {

  @Test
  void routerWithNatConnectsLanToWanAndCleansUp() {
    String lanName;
    try (NetworkNamespace lan = NetworkNamespace.create("t-lan");
        NetworkNamespace router = NetworkNamespace.create("t-rtr");
        NetworkNamespace wan = NetworkNamespace.create("t-wan")) {
      lanName = lan.name();
      Veth inside = Veth.connect(lan, "192.168.77.2/24", router, "192.168.77.1/24");
      Veth outside = Veth.connect(router, "81.0.0.1/24", wan, "81.0.0.2/24");
      lan.defaultRoute("192.168.77.1");
      router.enableForwarding().masquerade(outside.nameA());

      assertThat(lan.ping("81.0.0.2", 2)).isTrue();
      assertThat(lan.addresses(inside.nameA())).containsExactly("192.168.77.2");
      // The WAN host sees the router's address: NAT happened inside the router namespace.
      String conntrack =
          router.exec("iptables", "-w", "-t", "nat", "-L", "POSTROUTING", "-v", "-n").output();
      assertThat(conntrack).contains("MASQUERADE");
      assertThat(wan.ping("192.168.77.2", 1)).isFalse();
      inside.close();
      inside.close();
    }
    String list = Commands.run(List.of("ip", "netns", "list")).output();
    assertThat(list).doesNotContain(lanName);
  }
}
