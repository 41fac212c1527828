package dev.spoq.agent.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.agent.registry.Peer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WgDumpTest {

  @Test
  void parsesInterfaceAndPeerLines() {
    String dump =
        "cHJpdmF0ZQ==\tUFVCTElD\t51820\toff\n"
            + "cGVlcjE=\t(none)\t174.1.2.3:40000\t10.100.0.10/32\t1700000000\t1048576\t2097152\t25\n"
            + "cGVlcjI=\t(none)\t(none)\t10.100.0.11/32,10.100.0.12/32\t0\t0\t0\toff\n";
    WgDump d = WgDump.parse(dump);
    assertThat(d.publicKey()).isEqualTo("UFVCTElD");
    assertThat(d.listenPort()).isEqualTo(51820);
    assertThat(d.peers()).hasSize(2);
    assertThat(d.peers().get(0).endpoint()).isEqualTo("174.1.2.3:40000");
    assertThat(d.peers().get(0).latestHandshake()).isEqualTo(Instant.ofEpochSecond(1700000000));
    assertThat(d.peers().get(0).transferRx()).isEqualTo(1048576);
    assertThat(d.peers().get(0).transferTx()).isEqualTo(2097152);
    assertThat(d.peers().get(1).endpoint()).isNull();
    assertThat(d.peers().get(1).latestHandshake()).isNull();
    assertThat(d.peers().get(1).allowedIps()).containsExactly("10.100.0.11/32", "10.100.0.12/32");
  }

  @Test
  void rejectsGarbage() {
    assertThatThrownBy(() -> WgDump.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> WgDump.parse("a\tb\n")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rendersSeedConfigAndStrippedForm() {
    List<Peer> peers = List.of(new Peer("alice-iphone", "cGVlcjE=", List.of("10.100.0.10/32")));
    String full = WireGuardConfig.render("cHJpdmF0ZQ==", "10.100.0.1/24", 51820, peers);
    assertThat(full)
        .contains("[Interface]", "Address = 10.100.0.1/24", "ListenPort = 51820")
        .contains("# alice-iphone\n[Peer]\nPublicKey = cGVlcjE=\nAllowedIPs = 10.100.0.10/32");
    String stripped = WireGuardConfig.stripped("cHJpdmF0ZQ==", 51820, peers);
    assertThat(stripped).doesNotContain("Address").contains("ListenPort = 51820");
  }
}
