package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated configs are real WireGuard configs: {@code wg-quick strip} accepts them, {@code wg
 * setconf} loads them into wireguard-go interfaces in two namespaces the test creates, and a ping
 * through the tunnel from the device (10.100.0.10) reaches the Jetson (10.100.0.1).
 */
class WireGuardConfigIT {

  private static final Map<String, String> WG_ENV =
      Map.of("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD", "1");

  private final RunningRegistry registry = SharedRegistry.get();

  @TempDir Path dir;

  @Test
  void jetsonAndClientConfigsWorkWithRealWireGuard() throws Exception {
    Binaries.require("wg", "wireguard-tools");
    Binaries.require("wg-quick", "wireguard-tools");
    Binaries.require("wireguard-go", "wireguard-go");

    String name = SharedRegistry.name("wg");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    X25519.KeyPair jetsonKeys = X25519.generate();
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, jetsonKeys.publicKey().base64(), "nano");
    X25519.KeyPair phone = X25519.generate();
    RunningRegistry.Response added =
        registry.call(
            "POST",
            "/api/jetsons/self/devices",
            jetson.deviceToken(),
            Map.of("name", "alice-iphone", "profile", 1, "publicKey", phone.publicKey().base64()));
    assertThat(added.status()).as(added.body()).isEqualTo(201);
    registry.addDevice(jetson.jetsonId(), 2, "bobs-ipad", X25519.generate().publicKey().base64());
    String clientConfig = added.json().get("clientConfig").get("config").asString();
    String jetsonConfig =
        registry
            .call("GET", "/api/jetsons/self/wireguard-config", jetson.deviceToken(), null)
            .body();
    assertThat(jetsonConfig).contains("AllowedIPs = 10.100.0.10/32", "AllowedIPs = 10.100.0.20/32");

    String suffix = NetworkNamespace.randomSuffix(4);
    String jetsonIf = "wgj" + suffix;
    String clientIf = "wgc" + suffix;

    // As served (PrivateKey still a comment) both pass wg-quick strip.
    assertThat(strip(jetsonIf + "-raw", jetsonConfig)).doesNotContain("Address");
    assertThat(strip(clientIf + "-raw", clientConfig)).doesNotContain("DNS");

    Path jetsonStripped = dir.resolve(jetsonIf + ".stripped");
    Files.writeString(jetsonStripped, strip(jetsonIf, fillIn(jetsonConfig, jetsonKeys)));
    Path clientStripped = dir.resolve(clientIf + ".stripped");
    Files.writeString(clientStripped, strip(clientIf, fillIn(clientConfig, phone)));

    Path etcNetns = null;
    try (NetworkNamespace home = NetworkNamespace.create("regwgj");
        NetworkNamespace device = NetworkNamespace.create("regwgc");
        Veth link = Veth.connect(home, "192.0.2.1/24", device, "192.0.2.2/24")) {
      // The client's Endpoint is <subdomain>.spoq.dev: resolve it, inside the device namespace
      // only, to the Jetson's end of the link (ip netns exec bind-mounts /etc/netns/<ns>/hosts).
      etcNetns = Path.of("/etc/netns", device.name());
      Files.createDirectories(etcNetns);
      Files.writeString(etcNetns.resolve("hosts"), "192.0.2.1 " + jetson.fqdn() + "\n");

      startWireGuard(home, jetsonIf);
      home.exec("wg", "setconf", jetsonIf, jetsonStripped.toString());
      home.addAddress(jetsonIf, "10.100.0.1/24");

      startWireGuard(device, clientIf);
      device.exec("wg", "setconf", clientIf, clientStripped.toString());
      device.addAddress(clientIf, "10.100.0.10/32");
      device.exec("ip", "route", "add", "10.100.0.0/24", "dev", clientIf);

      String jetsonDump = home.exec("wg", "show", jetsonIf, "dump").output();
      assertThat(jetsonDump)
          .contains(jetsonKeys.publicKey().base64() + "\t51820")
          .contains(phone.publicKey().base64())
          .contains("10.100.0.10/32")
          .contains("10.100.0.20/32");
      String clientDump = device.exec("wg", "show", clientIf, "dump").output();
      assertThat(clientDump)
          .contains(jetsonKeys.publicKey().base64())
          .contains("192.0.2.1:51820")
          .contains("10.100.0.0/24")
          .contains("\t25");

      assertThat(device.ping("10.100.0.1", 5)).as("ping through the tunnel").isTrue();
      String handshake = home.exec("wg", "show", jetsonIf, "latest-handshakes").output();
      assertThat(handshake).contains(phone.publicKey().base64());
      assertThat(handshake).doesNotContain(phone.publicKey().base64() + "\t0\n");
    } finally {
      if (etcNetns != null) {
        deleteRecursively(etcNetns);
      }
      Files.deleteIfExists(Path.of("/var/run/wireguard", jetsonIf + ".sock"));
      Files.deleteIfExists(Path.of("/var/run/wireguard", clientIf + ".sock"));
    }
  }

  private void startWireGuard(NetworkNamespace ns, String iface) throws InterruptedException {
    ManagedProcess process =
        ns.start(
            "wireguard-go",
            List.of("wireguard-go", "-f", iface),
            dir.resolve(iface + ".log"),
            WG_ENV);
    Path socket = Path.of("/var/run/wireguard", iface + ".sock");
    for (int i = 0; i < 100 && !Files.exists(socket); i++) {
      assertThat(process.isAlive()).as(process.output()).isTrue();
      Thread.sleep(50);
    }
    assertThat(socket).as(process.output()).exists();
  }

  /** What the device does: replace the placeholder comment with its own PrivateKey line. */
  private static String fillIn(String config, X25519.KeyPair keys) {
    String filled =
        config.replaceFirst(
            "(?m)^# PrivateKey = .*$", "PrivateKey = " + keys.privateKey().base64());
    assertThat(filled).isNotEqualTo(config);
    return filled;
  }

  private String strip(String iface, String config) throws IOException, InterruptedException {
    Path file = dir.resolve(iface + ".conf");
    Files.writeString(file, config);
    Process p =
        new ProcessBuilder("wg-quick", "strip", file.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
