package dev.spoq.agent.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The copies shipped in deploy/ are exactly what the agent generates. */
class ShippedFilesTest {

  @Test
  void deployCopiesMatchTheGenerators() throws Exception {
    assertThat(Files.readString(Path.of("../deploy/agent/iptables.rules")))
        .isEqualTo(
            FirewallRules.render(
                "wg0",
                51820,
                List.of(51820, 51821, 51822, 51823, 51824, 51825, 52820, 53820, 54820, 55820),
                22,
                8090));
    assertThat(Files.readString(Path.of("../deploy/agent/sshd-spoq.conf")))
        .isEqualTo(SshdConfig.render("10.100.0.1", List.of("alice")));
  }

  @Test
  void portsWireGuardMayMoveToAreAcceptedInGroupsOfFifteen() {
    List<Integer> ports = new java.util.ArrayList<>();
    for (int p = 51820; p < 51840; p++) {
      ports.add(p);
    }
    String rules = FirewallRules.render("wg0", 51820, ports, 22, 8090);
    assertThat(rules)
        .contains("-A SPOQ-INPUT -p udp --dport 51820 -j ACCEPT")
        .contains(
            "-A SPOQ-INPUT -p udp -m multiport --dports"
                + " 51821,51822,51823,51824,51825,51826,51827,51828,51829,51830,51831,51832,51833,"
                + "51834,51835 -j ACCEPT")
        .contains("-A SPOQ-INPUT -p udp -m multiport --dports 51836,51837,51838,51839 -j ACCEPT");
    assertThat(FirewallRules.render("wg0", 51820, List.of(51820), 22, 8090))
        .doesNotContain("multiport");
  }

  @Test
  void unitFileHasTheHardening() throws Exception {
    String unit = Files.readString(Path.of("../deploy/systemd/spoq-agent.service"));
    assertThat(unit)
        .contains(
            "Type=notify", "Restart=on-failure", "WatchdogSec=", "RestartPreventExitStatus=78")
        .contains("CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW", "NoNewPrivileges=yes")
        .contains(
            "ProtectSystem=strict", "ReadWritePaths=/var/lib/spoq /etc/wireguard /run/wireguard")
        .contains("-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xss256k");
  }

  @Test
  void sshdUserNamesCannotInjectDirectives() {
    assertThatThrownBy(() -> SshdConfig.render("10.100.0.1", List.of("alice\nPermitRootLogin yes")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SshdConfig.render("10.100.0.1", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
