package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.AccountSshKeys;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import dev.spoq.testsupport.process.Binaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** SSH keys made by the real ssh-keygen, container routes and the ~/.ssh/config snippet. */
class SshKeysAndRoutesTest {

  @TempDir static Path dir;

  private final RunningRegistry registry = SharedRegistry.get();

  @BeforeAll
  static void tools() {
    Binaries.require("ssh-keygen", "openssh-client");
    Binaries.require("ssh", "openssh-client");
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
    return out;
  }

  /** Generates a key pair with ssh-keygen and returns the .pub path. */
  private static Path keygen(String type, int bits, String comment) throws Exception {
    Path key = dir.resolve(type + "-" + bits + "-" + System.nanoTime());
    List<String> command =
        new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-C", comment));
    if (bits > 0) {
      command.addAll(List.of("-b", String.valueOf(bits)));
    }
    command.addAll(List.of("-f", key.toString()));
    run(command);
    return Path.of(key + ".pub");
  }

  private static String sshKeygenFingerprint(Path pub) throws Exception {
    return run(List.of("ssh-keygen", "-E", "sha256", "-lf", pub.toString())).split(" ")[1];
  }

  @Test
  void acceptsModernKeysWithTheFingerprintSshKeygenPrints() throws Exception {
    String name = SharedRegistry.name("ssh");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.CLOUD);
    Object[][] kinds = {
      {"ed25519", 0}, {"ecdsa", 256}, {"ecdsa", 384}, {"ecdsa", 521}, {"rsa", 3072}
    };
    for (Object[] kind : kinds) {
      Path pub = keygen((String) kind[0], (Integer) kind[1], name + "@laptop");
      String line = Files.readString(pub).trim();
      RunningRegistry.Response r =
          registry.call(
              "POST",
              "/api/accounts/" + name + "/ssh-keys",
              account.apiKey(),
              Map.of("publicKey", line));
      assertThat(r.status()).as(kind[0] + " " + r.body()).isEqualTo(201);
      assertThat(r.json().get("fingerprint").asString()).isEqualTo(sshKeygenFingerprint(pub));
      assertThat(r.json().get("publicKey").asString()).isEqualTo(line);
    }
    AccountSshKeys keys = registry.registryClient("jump-router").sshKeys(name).orElseThrow();
    assertThat(keys.keys()).hasSize(5);

    // the same key twice is a conflict
    Path again = keygen("ed25519", 0, "dup");
    String dup = Files.readString(again).trim();
    registry.call(
        "POST", "/api/accounts/" + name + "/ssh-keys", account.apiKey(), Map.of("publicKey", dup));
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/accounts/" + name + "/ssh-keys",
            account.apiKey(),
            Map.of("publicKey", dup)),
        409);
  }

  @Test
  void refusesWeakAndMalformedKeys() throws Exception {
    String name = SharedRegistry.name("sshbad");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.CLOUD);
    String rsa2048 = Files.readString(keygen("rsa", 2048, "old")).trim();
    String ed = Files.readString(keygen("ed25519", 0, "x")).trim();
    String[] bad = {
      rsa2048,
      "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
      "ssh-ed25519 not-base64!!",
      "ssh-ed25519",
      "ssh-rsa " + ed.split(" ")[1],
      "command=\"rm -rf /\" " + ed,
      ed + " comment; rm -rf /",
      ed + " $(reboot)",
      ed.substring(0, ed.length() - 20),
      "",
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\nssh-ed25519 x"
    };
    for (String line : bad) {
      JsonNode problem =
          Problems.assertProblem(
              registry.call(
                  "POST",
                  "/api/accounts/" + name + "/ssh-keys",
                  account.apiKey(),
                  Map.of("publicKey", line)),
              400);
      assertThat(problem.get("detail").asString()).doesNotContain("rm -rf").doesNotContain("$(");
    }
    JsonNode weak =
        registry
            .call(
                "POST",
                "/api/accounts/" + name + "/ssh-keys",
                account.apiKey(),
                Map.of("publicKey", rsa2048))
            .json();
    assertThat(weak.get("detail").asString()).contains("3072");
    assertThat(
            registry
                .call("GET", "/api/accounts/" + name + "/ssh-keys", account.apiKey(), null)
                .json()
                .size())
        .isZero();
  }

  @Test
  void containerRoutesAreAdminSetAndTheSshConfigSnippetParsesWithRealSsh() throws Exception {
    String name = SharedRegistry.name("route");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.CLOUD);
    String hostKey = Files.readString(keygen("ed25519", 0, "root@container")).trim();
    Map<String, Object> route = Map.of("host", "10.20.0.7", "port", 2222, "hostKey", hostKey);

    // the account's own key may read but not set its route (ops/orchestrator API)
    Problems.assertProblem(
        registry.call("PUT", "/api/accounts/" + name + "/container-route", account.apiKey(), route),
        403);
    Problems.assertProblem(
        registry.call("GET", "/api/accounts/" + name + "/ssh-config", account.apiKey(), null), 404);
    RunningRegistry.Response set =
        registry.call(
            "PUT", "/api/accounts/" + name + "/container-route", registry.adminKey(), route);
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(set.json().get("hostKey").asString())
        .isEqualTo(hostKey.substring(0, hostKey.lastIndexOf(' ')));
    RunningRegistry.Response read =
        registry.call("GET", "/api/accounts/" + name + "/container-route", account.apiKey(), null);
    assertThat(read.json().get("port").asInt()).isEqualTo(2222);

    String snippet =
        registry
            .call("GET", "/api/accounts/" + name + "/ssh-config", account.apiKey(), null)
            .body();
    assertThat(snippet).contains("Host spoq", "ProxyJump " + name + "@ssh.spoq.dev");
    Path config = dir.resolve("ssh_config_" + name);
    Files.writeString(config, snippet);
    String resolved = run(List.of("ssh", "-G", "-F", config.toString(), "spoq"));
    // the router accepts only container-<user> (port 22) and maps it to the route itself
    assertThat(resolved)
        .contains("hostname container-" + name)
        .contains("user " + name)
        .contains("port 22\n")
        .contains("proxyjump " + name + "@ssh.spoq.dev");
    String direct = run(List.of("ssh", "-G", "-F", config.toString(), "spoq-direct"));
    assertThat(direct).contains("hostname ssh.spoq.dev").contains("user " + name);

    // Jetson accounts have no container
    String jname = SharedRegistry.name("routej");
    registry.createAccount(jname, jname, Product.JETSON);
    Problems.assertProblem(
        registry.call(
            "PUT", "/api/accounts/" + jname + "/container-route", registry.adminKey(), route),
        409);

    // bad routes
    for (Map<String, Object> bad :
        List.<Map<String, Object>>of(
            Map.of("host", "evil;rm -rf /", "port", 22, "hostKey", hostKey),
            Map.of("host", "ok", "port", 70000, "hostKey", hostKey),
            Map.of("host", "ok", "port", 22, "hostKey", "ssh-ed25519 nope"),
            Map.of("host", "-oProxyCommand=x", "port", 22, "hostKey", hostKey),
            // issue 13 item 8: metadata, unspecified, multicast, broadcast, integer forms
            Map.of("host", "169.254.169.254", "port", 22, "hostKey", hostKey),
            Map.of("host", "0.0.0.0", "port", 22, "hostKey", hostKey),
            Map.of("host", "224.0.0.1", "port", 22, "hostKey", hostKey),
            Map.of("host", "255.255.255.255", "port", 22, "hostKey", hostKey),
            Map.of("host", "0x51024545", "port", 22, "hostKey", hostKey),
            Map.of("host", "2130706433", "port", 22, "hostKey", hostKey))) {
      Problems.assertProblem(
          registry.call(
              "PUT", "/api/accounts/" + name + "/container-route", registry.adminKey(), bad),
          400);
    }
    assertThat(registry.registryClient("jump-router").containerRoute(name).orElseThrow().host())
        .isEqualTo("10.20.0.7");

    assertThat(
            registry
                .call(
                    "DELETE",
                    "/api/accounts/" + name + "/container-route",
                    registry.adminKey(),
                    null)
                .status())
        .isEqualTo(204);
    assertThat(registry.registryClient("jump-router").containerRoute(name)).isEmpty();
  }
}
