package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.agent.relay.FrpcSupervisor;
import dev.spoq.testsupport.process.Binaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The frpc supervisor against a stand-in executable (frpc is not installable here; when a real
 * {@code frpc} is on PATH, it is checked too): restart with exponential backoff, restart on a new
 * assignment (config), admin API status, stop on close.
 */
class FrpcSupervisorIT {

  static String config(int adminPort, String server) {
    return "serverAddr = \""
        + server
        + "\"\nserverPort = 7000\nloginFailExit = false\nwebServer.addr = \"127.0.0.1\"\nwebServer.port = "
        + adminPort
        + "\n\n[[proxies]]\nname = \"spoq-test\"\ntype = \"udp\"\nlocalIP = \"127.0.0.1\"\nlocalPort = 51820\nremotePort = 40017\n";
  }

  @Test
  void restartsACrashingFrpcWithExponentialBackoff(@TempDir Path tmp) throws Exception {
    Path starts = tmp.resolve("starts.log");
    Path script = tmp.resolve("crashing-frpc");
    Files.writeString(script, "#!/bin/sh\necho \"$(date +%s%3N) $*\" >> " + starts + "\nexit 1\n");
    script.toFile().setExecutable(true);
    try (FrpcSupervisor s =
        new FrpcSupervisor(
            script.toString(),
            tmp.resolve("frpc/frpc.toml"),
            17401,
            Duration.ofMillis(200),
            Duration.ofMillis(1600),
            Clock.systemUTC())) {
      s.apply(config(17401, "relay-a"));
      Wait.until("5 starts", Duration.ofSeconds(20), () -> lines(starts).size() >= 6);
      List<Long> times = new ArrayList<>();
      for (String line : lines(starts)) {
        times.add(Long.parseLong(line.split(" ")[0]));
      }
      List<Long> gaps = new ArrayList<>();
      for (int i = 1; i < times.size(); i++) {
        gaps.add(times.get(i) - times.get(i - 1));
      }
      // 200, 400, 800, 1600, 1600 ms (+ process start time): growing, then capped.
      assertThat(gaps.get(0)).isBetween(150L, 1200L);
      assertThat(gaps.get(2)).isGreaterThan(gaps.get(0) + 300);
      assertThat(gaps.get(4)).isBetween(1400L, 3500L);
      assertThat(s.restarts()).isGreaterThanOrEqualTo(5);
      assertThat(lines(starts).get(0)).contains("-c " + tmp.resolve("frpc/frpc.toml"));
    }
    int after = lines(starts).size();
    Wait.sleep(2500);
    assertThat(lines(starts)).as("no restarts after close").hasSize(after);
  }

  @Test
  void reloadsOnNewAssignmentReportsStatusAndStops(@TempDir Path tmp) throws Exception {
    Path starts = tmp.resolve("starts.log");
    Path frpc = FakeFrpc.script(tmp.resolve("bin"));
    Path wrapper = tmp.resolve("frpc-env");
    Files.writeString(
        wrapper, "#!/bin/sh\nFAKE_FRPC_LOG=" + starts + " exec " + frpc + " \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    FrpcSupervisor s =
        new FrpcSupervisor(
            wrapper.toString(),
            tmp.resolve("frpc/frpc.toml"),
            17402,
            Duration.ofMillis(200),
            Duration.ofSeconds(5),
            Clock.systemUTC());
    try {
      s.apply(config(17402, "relay-a"));
      Wait.until("connected", Duration.ofSeconds(20), () -> s.snapshot().connected());
      long firstPid = s.pid();
      assertThat(s.snapshot().proxyStatus()).isEqualTo("running");
      s.apply(config(17402, "relay-a"));
      assertThat(s.pid()).as("same config: no restart").isEqualTo(firstPid);
      s.apply(config(17402, "relay-b"));
      Wait.until("restarted with relay-b", Duration.ofSeconds(20), () -> s.snapshot().connected());
      assertThat(s.pid()).isNotEqualTo(firstPid);
      assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(lines(starts)).hasSize(2);
      assertThat(lines(starts).get(1)).contains("relay-b");
      assertThat(Files.readString(tmp.resolve("frpc/frpc.toml"))).contains("relay-b");
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(tmp.resolve("frpc/frpc.toml"))))
          .isEqualTo("rw-------");
      long pid = s.pid();
      s.close();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(s.snapshot().running()).isFalse();
    } finally {
      s.close();
    }
  }

  @Test
  void realFrpcWhenInstalledStartsWithTheRenderedConfig(@TempDir Path tmp) {
    var real = Binaries.find("frpc");
    // frpc is not a Debian package: reported as skipped unless the machine ships it.
    org.junit.jupiter.api.Assumptions.assumeTrue(real.isPresent(), "frpc not on PATH");
    try (FrpcSupervisor s =
        new FrpcSupervisor(
            real.get().toString(),
            tmp.resolve("frpc/frpc.toml"),
            17403,
            Duration.ofMillis(500),
            Duration.ofSeconds(5),
            Clock.systemUTC())) {
      s.apply(config(17403, "127.0.0.1"));
      Wait.until(
          "frpc admin API up", Duration.ofSeconds(20), () -> s.snapshot().proxyStatus() != null);
      assertThat(s.snapshot().running()).isTrue();
    }
  }

  static List<String> lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file) : List.of();
    } catch (Exception e) {
      return List.of();
    }
  }
}
