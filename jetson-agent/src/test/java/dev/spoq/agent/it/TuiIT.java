package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.agent.Agent;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spoq network status} driven through a real terminal (tmux): the seed's box with WireGuard,
 * peers, UPnP, public IP, DNS and relay; {@code r} refreshes, {@code t} tests, {@code q} quits and
 * restores the terminal. {@code --once} prints the same fields as plain text.
 */
class TuiIT {

  @Test
  void fullScreenStatusReactsToKeys(@TempDir Path tmp) throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "tui" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = SharedRegistry.enrollWithCli(registry, account, tmp, "jetson-tui");
    var jetson = WireGuardIT.readState(state);
    registry.addDevice(
        jetson.jetsonId(), 1, "alice-iphone", X25519.generate().publicKey().base64());
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path socket = tmp.resolve("tmux.sock");
    try (NetworkNamespace ns = NetworkNamespace.create("ag-tui")) {
      String iface = "wg" + NetworkNamespace.randomSuffix(3);
      Map<String, String> settings = AgentSettings.base(state, registry.baseUrl(), iface);
      settings.put("wireguard.netns", ns.name());
      settings.put("status.port", String.valueOf(port));
      try (Agent agent = new Agent(AgentSettings.config(settings))) {
        agent.start();
        List<String> cli = new ArrayList<>(AgentProcess.javaCommand());
        cli.addAll(
            List.of(
                "network",
                "status",
                "-c",
                tmp.resolve("none.toml").toString(),
                "--set",
                "status.port=" + port));
        String shell =
            String.join(" ", cli.stream().map(a -> "'" + a + "'").toList())
                + "; echo EXITED-$?; sleep 60";
        tmux(socket, "new-session", "-d", "-s", "spoq", "-x", "90", "-y", "40", shell);
        try {
          Wait.until(
              "the status box",
              Duration.ofSeconds(30),
              () -> pane(socket).contains("Connected Peers:"),
              () -> pane(socket));
          String screen = pane(socket);
          assertThat(screen)
              .contains(
                  "Network Status",
                  "WireGuard: ● Active",
                  "Interface: " + iface,
                  "Address: 10.100.0.1/24")
              .contains("Port: 51820", "alice-iphone", "10.100.0.10", "Last: never")
              .contains("UPnP: ○ Disabled", "Public IP:", "DNS: " + user + ".spoq.dev", "Relay:")
              .contains("[t] Test connection  [r] Refresh  [q] Quit");
          tmux(socket, "send-keys", "-t", "spoq", "r");
          Wait.until(
              "refresh",
              Duration.ofSeconds(10),
              () -> pane(socket).contains("Refreshed at"),
              () -> pane(socket));
          tmux(socket, "send-keys", "-t", "spoq", "t");
          Wait.until(
              "test result",
              Duration.ofSeconds(30),
              () -> pane(socket).contains("Test: direct"),
              () -> pane(socket));
          tmux(socket, "send-keys", "-t", "spoq", "q");
          Wait.until(
              "quit",
              Duration.ofSeconds(10),
              () -> pane(socket).contains("EXITED-0"),
              () -> pane(socket));
          assertThat(pane(socket)).doesNotContain("Connected Peers:");
        } finally {
          runTmux(socket, "kill-server");
        }
        // --once: the same facts as plain text for scripts.
        List<String> once = new ArrayList<>(AgentProcess.javaCommand());
        once.addAll(
            List.of(
                "network",
                "status",
                "--once",
                "-c",
                tmp.resolve("none.toml").toString(),
                "--set",
                "status.port=" + port));
        ExecResult r = run(once);
        assertThat(r.exitCode()).isZero();
        assertThat(r.output())
            .contains("WireGuard: ● Active", "alice-iphone", "Path: direct")
            .doesNotContain("\u001b[");
      }
    }
  }

  static String pane(Path socket) {
    return runTmux(socket, "capture-pane", "-p", "-t", "spoq").output();
  }

  static void tmux(Path socket, String... args) {
    ExecResult r = runTmux(socket, args);
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  static ExecResult runTmux(Path socket, String... args) {
    List<String> command = new ArrayList<>(List.of("tmux", "-S", socket.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  static ExecResult run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      p.waitFor();
      return new ExecResult(
          p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
