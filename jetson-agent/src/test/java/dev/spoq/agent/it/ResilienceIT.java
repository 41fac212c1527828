package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.agent.cli.SpoqCli;
import dev.spoq.agent.config.ConfigException;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Bad input and broken surroundings: corrupted state files, a registry answering 500s and garbage,
 * no UPnP gateway. The agent logs clear lines, keeps WireGuard and its status API up, queues its
 * reports and sends them once the registry is back; it never loses or rewrites its key; broken
 * state makes it exit with EX_CONFIG (78), which the unit's RestartPreventExitStatus stops.
 */
class ResilienceIT {

  @Test
  void enrollmentAgainstABrokenRegistryFailsCleanlyAndKeepsTheKey(@TempDir Path tmp)
      throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    try (FlakyRegistry flaky = new FlakyRegistry(registry.baseUrl())) {
      Path state = tmp.resolve("state");
      String url = "http://127.0.0.1:" + flaky.port();
      Captured c = enrollAgainst(url, "spoq_enr_abcdefghijkl", tmp, state);
      assertThat(c.code).isEqualTo(69);
      assertThat(c.err)
          .contains("enrollment failed: registry answered HTTP 500")
          .doesNotContain("Exception", "\tat ");
      String key = Files.readString(state.resolve("wireguard/private.key"));

      flaky.mode = FlakyRegistry.Mode.GARBAGE;
      c = enrollAgainst(url, "spoq_enr_abcdefghijkl", tmp, state);
      assertThat(c.code).isEqualTo(69);
      assertThat(c.err).contains("not JSON");

      flaky.mode = FlakyRegistry.Mode.WRONG_SHAPE;
      c = enrollAgainst(url, "spoq_enr_abcdefghijkl", tmp, state);
      assertThat(c.code).isEqualTo(69);
      assertThat(c.err).contains("lacks the device token");
      assertThat(Files.exists(state.resolve("device.token"))).isFalse();

      // Repaired: the same key pair enrolls (it was kept, never regenerated).
      flaky.mode = FlakyRegistry.Mode.PROXY;
      String user = "rs" + NetworkNamespace.randomSuffix(3);
      var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
      c =
          capture(
              () ->
                  SpoqCli.execute(
                      "enroll",
                      registry.newEnrollmentCode(account),
                      "-c",
                      tmp.resolve("x.toml").toString(),
                      "--state-dir",
                      state.toString(),
                      "--registry-url",
                      url,
                      "--hostname",
                      "jetson-rs"));
      assertThat(c.code).as(c.err).isZero();
      assertThat(Files.readString(state.resolve("wireguard/private.key"))).isEqualTo(key);
      assertThat(c.out)
          .contains(
              X25519
                  .publicKeyOf(dev.spoq.common.wireguard.WireGuardKey.parse(key.trim()))
                  .base64());
    }
  }

  @Test
  void corruptedFilesGiveClearErrorsAndExitCode78(@TempDir Path tmp) throws Exception {
    Path state = tmp.resolve("state");
    Files.createDirectories(state.resolve("wireguard"));
    Files.writeString(state.resolve("wireguard/private.key"), "not-a-key\n");
    Captured c =
        capture(
            () ->
                SpoqCli.execute(
                    "enroll",
                    "spoq_enr_abcdefghijkl",
                    "-c",
                    tmp.resolve("x.toml").toString(),
                    "--state-dir",
                    state.toString(),
                    "--registry-url",
                    "http://127.0.0.1:1"));
    assertThat(c.code).isEqualTo(ConfigException.EXIT_CODE);
    assertThat(c.err).contains("is not a WireGuard key").contains("left untouched");
    assertThat(Files.readString(state.resolve("wireguard/private.key"))).isEqualTo("not-a-key\n");

    Files.writeString(
        state.resolve("wireguard/private.key"), X25519.generate().privateKey().base64() + "\n");
    Files.writeString(state.resolve("agent-state.json"), "{\"jetson_id\": \"x\", truncated");
    c =
        capture(
            () ->
                SpoqCli.execute(
                    "run",
                    "-c",
                    tmp.resolve("x.toml").toString(),
                    "--state-dir",
                    state.toString()));
    assertThat(c.code).isEqualTo(78);
    assertThat(c.err).contains("agent-state.json is corrupt").contains("re-run 'spoq enroll");

    Files.delete(state.resolve("agent-state.json"));
    c =
        capture(
            () ->
                SpoqCli.execute(
                    "run",
                    "-c",
                    tmp.resolve("x.toml").toString(),
                    "--state-dir",
                    state.toString()));
    assertThat(c.code).isEqualTo(78);
    assertThat(c.err).contains("not enrolled");

    Path badConfig = tmp.resolve("bad.toml");
    Files.writeString(badConfig, "[upnp]\nlease = \"forever\"\n");
    c =
        capture(
            () ->
                SpoqCli.execute(
                    "run", "-c", badConfig.toString(), "--state-dir", state.toString()));
    assertThat(c.code).isEqualTo(78);
    assertThat(c.err).contains("upnp.lease").contains("must be a duration");
  }

  @Test
  void agentSurvivesBrokenRegistryAndMissingGatewayThenDeliversQueuedReports(@TempDir Path tmp)
      throws Exception {
    RunningRegistry registry = SharedRegistry.get();
    String user = "rq" + NetworkNamespace.randomSuffix(3);
    var account = registry.createAccount(user, user, RunningRegistry.Product.JETSON);
    Path state = tmp.resolve("state");
    assertThat(
            SpoqCli.execute(
                "enroll",
                registry.newEnrollmentCode(account),
                "-c",
                tmp.resolve("x.toml").toString(),
                "--state-dir",
                state.toString(),
                "--registry-url",
                registry.baseUrl(),
                "--hostname",
                "jetson-rq"))
        .isZero();
    var jetson = WireGuardIT.readState(state);
    registry.addDevice(jetson.jetsonId(), 1, "phone", X25519.generate().publicKey().base64());
    // A corrupted peer cache and DNS state: warnings, not failures.
    Files.writeString(state.resolve("peers.json"), "[[[");
    Files.writeString(state.resolve("dns-state.json"), "\u0000\u0001");
    String key = Files.readString(state.resolve("wireguard/private.key"));

    try (FlakyRegistry flaky = new FlakyRegistry(registry.baseUrl());
        NetworkNamespace lan = NetworkNamespace.create("ag-alone");
        NetworkNamespace empty = NetworkNamespace.create("ag-void")) {
      Veth.connect(lan, "192.168.77.2/24", empty, "192.168.77.1/24");
      lan.defaultRoute("192.168.77.1");
      try (LoopbackBridge bridge =
          LoopbackBridge.open(lan, 18081, flaky.port(), tmp.resolve("br"))) {
        String iface = "wg" + NetworkNamespace.randomSuffix(3);
        Map<String, String> settings = AgentSettings.base(state, "http://127.0.0.1:18081", iface);
        settings.put("upnp.enabled", "true");
        settings.put("upnp.discovery-timeout", "1s");
        settings.put("upnp.refresh", "2s");
        settings.put("report.interval", "1s");
        settings.put("systemd.watchdog", "true");
        try (AgentProcess agent = AgentProcess.start(lan, settings, tmp.resolve("agent.log"))) {
          Wait.until(
              "status API up", Duration.ofSeconds(30), () -> agent.status() != null, agent::log);
          flaky.mode = FlakyRegistry.Mode.GARBAGE;
          Wait.until(
              "a few failed rounds",
              Duration.ofSeconds(20),
              () -> agent.log().contains("not JSON") && agent.log().contains("HTTP 500"),
              agent::log);
          assertThat(agent.status().path("agent").path("queued_reports").asInt()).isPositive();
          flaky.mode = FlakyRegistry.Mode.WRONG_SHAPE;
          Wait.until(
              "wrong shape seen",
              Duration.ofSeconds(20),
              () -> agent.log().contains("not a list of peers"),
              agent::log);
          JsonNode s = agent.status();
          assertThat(s.path("wireguard").path("up").asBoolean()).as("WireGuard stays up").isTrue();
          assertThat(s.path("upnp").path("status").asString()).isEqualTo("unavailable");
          assertThat(s.path("upnp").path("error").asString()).contains("no UPnP gateway");
          // Two failed health checks after the UPnP verdict: no UPnP and no relay.
          Wait.until(
              "path none",
              Duration.ofSeconds(10),
              () -> "none".equals(agent.status().path("path").asString()),
              agent::log);
          assertThat(agent.log())
              .contains("peer cache", "is corrupt", "DNS state", "registry unavailable at start")
              .doesNotContain("\tat dev.spoq", "Exception in thread");
          assertThat(agent.process.isAlive()).isTrue();
          // The status API listens on loopback and the WireGuard address only, never the LAN.
          String listeners =
              lan.exec("ss", "-ltnH", "sport = :" + AgentProcess.STATUS_PORT).output();
          assertThat(listeners)
              .contains(
                  "127.0.0.1]:" + AgentProcess.STATUS_PORT,
                  "10.100.0.1]:" + AgentProcess.STATUS_PORT)
              .doesNotContain("0.0.0.0:", "*:" + AgentProcess.STATUS_PORT, "192.168.77.2:");
          String base = "http://127.0.0.1:" + AgentProcess.STATUS_PORT;
          assertThat(lan.exec("curl", "-s", "-X", "POST", base + "/api/device/status").output())
              .contains("\"status\":405");
          assertThat(lan.exec("curl", "-s", base + "/etc/passwd").output())
              .contains("\"status\":404");
          assertThat(
                  lan.exec(
                          "curl",
                          "-s",
                          "-X",
                          "POST",
                          "http://10.100.0.1:" + AgentProcess.STATUS_PORT + "/api/device/test")
                      .output())
              .as("connection tests only from the Jetson itself")
              .contains("\"status\":403");
          assertThat(registry.registryClient("test").jetsonStatus(jetson.jetsonId())).isEmpty();
          flaky.mode = FlakyRegistry.Mode.ERROR_500;
          Wait.until(
              "reports queue again",
              Duration.ofSeconds(20),
              () -> agent.status().path("agent").path("queued_reports").asInt() > 1,
              agent::log);

          // The registry is back: the peer arrives and queued reports are delivered.
          flaky.mode = FlakyRegistry.Mode.PROXY;
          Wait.until(
              "peer synced",
              Duration.ofSeconds(20),
              () -> agent.status().path("wireguard").path("peers").size() == 1,
              agent::log);
          Wait.until(
              "queue drained",
              Duration.ofSeconds(20),
              () -> agent.status().path("agent").path("queued_reports").asInt() == 0,
              agent::log);
          assertThat(registry.registryClient("test").jetsonStatus(jetson.jetsonId())).isPresent();
        }
      }
    }
    assertThat(Files.readString(state.resolve("wireguard/private.key"))).isEqualTo(key);
  }

  record Captured(int code, String out, String err) {}

  /** Runs {@code spoq enroll} against the given registry URL, capturing its output. */
  private static Captured enrollAgainst(String url, String code, Path tmp, Path state) {
    return capture(
        () ->
            SpoqCli.execute(
                "enroll",
                code,
                "-c",
                tmp.resolve("x.toml").toString(),
                "--state-dir",
                state.toString(),
                "--registry-url",
                url));
  }

  static synchronized Captured capture(java.util.function.IntSupplier run) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true));
    System.setErr(new PrintStream(e, true));
    try {
      int code = run.getAsInt();
      return new Captured(code, o.toString(), e.toString());
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
