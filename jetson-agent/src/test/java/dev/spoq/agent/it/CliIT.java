package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.agent.cli.SpoqCli;
import dev.spoq.common.wireguard.WireGuardKey;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one-shot commands against real things: the registry, iptables in a namespace, sshd -t. */
class CliIT {

  @Test
  void deviceAddRegistersOnlyThePublicKeyAndShowsTheConfigOnce(@TempDir Path tmp) throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "da" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = tmp.resolve("state");
    String[] common = {
      "-c",
      tmp.resolve("none.toml").toString(),
      "--state-dir",
      state.toString(),
      "--registry-url",
      registry.baseUrl()
    };
    assertThat(
            SpoqCli.execute(
                concat(
                    new String[] {
                      "enroll", registry.newEnrollmentCode(account), "--hostname", "jetson-cli"
                    },
                    common)))
        .isZero();

    var c =
        ResilienceIT.capture(
            () ->
                SpoqCli.execute(
                    concat(
                        new String[] {
                          "device", "add", "alice-iphone", "--profile", "2", "--qr", "--show-config"
                        },
                        common)));
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out())
        .contains("Registered alice-iphone (profile 2) at 10.100.0.20/32")
        .contains("▀", "▄", "█");
    Matcher m = Pattern.compile("PrivateKey = (\\S+)").matcher(c.out());
    assertThat(m.find()).isTrue();
    String privateKey = m.group(1);
    String publicKey = X25519.publicKeyOf(WireGuardKey.parse(privateKey)).base64();
    assertThat(c.out())
        .contains("Address = 10.100.0.20/32", "DNS = 10.100.0.1", "AllowedIPs = 10.100.0.0/24")
        .contains("Endpoint = " + user + ".spoq.dev:51820", "PersistentKeepalive = 25");
    // The registry has the public key, and nothing on disk holds the private one.
    var jetson = WireGuardIT.readState(state);
    var devices =
        registry.call(
            "GET", "/api/jetsons/" + jetson.jetsonId() + "/devices", registry.adminKey(), null);
    assertThat(devices.body()).contains(publicKey).doesNotContain(privateKey);
    try (Stream<Path> files = Files.walk(tmp)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f)).as(f.toString()).doesNotContain(privateKey);
      }
    }

    var bad =
        ResilienceIT.capture(
            () ->
                SpoqCli.execute(
                    concat(
                        new String[] {"device", "add", "x", "--profile", "25", "--qr"}, common)));
    assertThat(bad.code()).isEqualTo(64);
    assertThat(bad.err()).contains("--profile must be 1..24");
    var noOutput =
        ResilienceIT.capture(
            () ->
                SpoqCli.execute(
                    concat(new String[] {"device", "add", "x", "--profile", "1"}, common)));
    assertThat(noOutput.code()).isEqualTo(64);
  }

  @Test
  void firewallAppliesIdempotentlyInsideANamespace(@TempDir Path tmp) {
    try (NetworkNamespace ns = NetworkNamespace.create("ag-fw")) {
      List<String> cmd = new ArrayList<>(AgentProcess.javaCommand());
      cmd.addAll(List.of("firewall", "--apply", "-c", tmp.resolve("none.toml").toString()));
      ExecResult first = ns.tryExec(cmd);
      assertThat(first.exitCode()).as(first.output()).isZero();
      ExecResult second = ns.tryExec(cmd);
      assertThat(second.exitCode()).as(second.output()).isZero();
      String rules = ns.exec("iptables-save", "-t", "filter").output();
      assertThat(rules)
          .contains("-A INPUT -j SPOQ-INPUT", "-A FORWARD -j SPOQ-FORWARD")
          .contains("-A SPOQ-INPUT -p udp -m udp --dport 51820 -j ACCEPT")
          .contains(
              "-A SPOQ-INPUT -p udp -m multiport --dports"
                  + " 51821,51822,51823,51824,51825,52820,53820,54820,55820 -j ACCEPT")
          .contains("-A SPOQ-INPUT -i wg0 -p tcp -m tcp --dport 22 -j ACCEPT")
          .contains("-A SPOQ-INPUT -p tcp -m tcp --dport 22 -j DROP")
          .contains("-A SPOQ-INPUT -j DROP");
      assertThat(count(rules, "-A INPUT -j SPOQ-INPUT")).as("jump added once").isEqualTo(1);
      assertThat(count(rules, "-A SPOQ-INPUT -j DROP"))
          .as("chain replaced, not appended")
          .isEqualTo(1);
      assertThat(ns.ping("127.0.0.1", 1)).isTrue();
    }
  }

  @Test
  void sshdAcceptsTheGeneratedDropIn(@TempDir Path tmp) throws Exception {
    List<String> cmd = new ArrayList<>(AgentProcess.javaCommand());
    cmd.addAll(
        List.of(
            "sshd-config",
            "-c",
            tmp.resolve("none.toml").toString(),
            "--user",
            "alice",
            "--user",
            "bob"));
    ExecResult r = TuiIT.run(cmd);
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output())
        .contains(
            "ListenAddress 10.100.0.1",
            "AllowUsers alice bob",
            "PermitRootLogin no",
            "PasswordAuthentication no");
    Path key = tmp.resolve("host_ed25519");
    assertThat(
            TuiIT.run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()))
                .exitCode())
        .isZero();
    Path config = tmp.resolve("sshd_config");
    Files.writeString(config, r.output() + "HostKey " + key + "\n");
    ExecResult check =
        TuiIT.run(
            List.of(
                dev.spoq.testsupport.process.Binaries.require("sshd", "openssh-server").toString(),
                "-t",
                "-f",
                config.toString()));
    assertThat(check.exitCode()).as(check.output()).isZero();

    List<String> hostile = new ArrayList<>(AgentProcess.javaCommand());
    hostile.addAll(
        List.of(
            "sshd-config",
            "-c",
            tmp.resolve("none.toml").toString(),
            "--user",
            "root\nPermitRootLogin yes"));
    ExecResult refused = TuiIT.run(hostile);
    assertThat(refused.exitCode()).isEqualTo(65);
    assertThat(refused.output())
        .contains("not a valid user name")
        .doesNotContain("PermitRootLogin yes\n");
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  static String[] concat(String[] a, String[] b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
