package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Alice's API key and device token never read or change Bob's things, per endpoint family. */
class IsolationTest {

  static final String HOST_KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

  private static RunningRegistry registry;
  private static RunningRegistry.Account alice;
  private static RunningRegistry.Account bob;
  private static RunningRegistry.Account bobCloud;
  private static RunningRegistry.EnrolledJetson aliceJetson;
  private static RunningRegistry.EnrolledJetson bobJetson;
  private static RunningRegistry.Device bobDevice;
  private static RunningRegistry.SshKey bobKey;
  private static String bobApiKeyId;

  @BeforeAll
  static void setUp() {
    registry = SharedRegistry.get();
    String a = SharedRegistry.name("alice");
    String b = SharedRegistry.name("bob");
    alice = registry.createAccount(a, a, Product.JETSON);
    bob = registry.createAccount(b, b, Product.JETSON);
    String bc = SharedRegistry.name("bobc");
    bobCloud = registry.createAccount(bc, bc, Product.CLOUD);
    aliceJetson = registry.enrollJetson(alice, X25519.generate().publicKey().base64(), "a");
    bobJetson = registry.enrollJetson(bob, X25519.generate().publicKey().base64(), "b");
    bobDevice =
        registry.addDevice(
            bobJetson.jetsonId(), 1, "bob-phone", X25519.generate().publicKey().base64());
    registry.addDevice(
        aliceJetson.jetsonId(), 1, "alice-phone", X25519.generate().publicKey().base64());
    bobKey = registry.addSshKey(bob.username(), HOST_KEY + " bob@laptop");
    registry.setContainerRoute(bobCloud.username(), "container-bob", 22, HOST_KEY);
    registry.reportStatus(bobJetson.deviceToken(), Map.of("relay", Map.of("connected", true)));
    for (JsonNode k : registry.call("GET", "/api/api-keys", bob.apiKey(), null).json()) {
      bobApiKeyId = k.get("id").asString();
    }
  }

  private static void refused(String method, String path, String credential, Object body) {
    RunningRegistry.Response r = registry.call(method, path, credential, body);
    assertThat(r.status()).as(method + " " + path + " -> " + r.body()).isIn(403, 404);
    Problems.assertProblem(r, r.status());
  }

  @Test
  void aliceApiKeyCannotTouchBobsAccountKeysAndJetson() {
    String k = alice.apiKey();
    String bobJ = "/api/jetsons/" + bobJetson.jetsonId();
    String bobD = bobJ + "/devices/" + bobDevice.id();
    String key = X25519.generate().publicKey().base64();
    refused("GET", "/api/accounts/" + bob.username(), k, null);
    refused("POST", "/api/accounts/" + bob.username() + "/enrollment-codes", k, null);
    refused("GET", "/api/accounts/" + bob.username() + "/jetsons", k, null);
    refused(
        "POST",
        "/api/api-keys",
        k,
        Map.of("scope", "ACCOUNT", "username", bob.username(), "name", "x"));
    refused(
        "POST",
        "/api/api-keys",
        k,
        Map.of("scope", "ACCOUNT", "username", alice.username(), "name", "x"));
    refused("DELETE", "/api/api-keys/" + bobApiKeyId, k, null);
    refused("GET", bobJ, k, null);
    refused("POST", bobJ + "/revoke", k, null);
    refused("POST", bobJ + "/device-token/rotate", k, null);
    refused("POST", bobJ + "/device-token/revoke", k, null);
    refused("GET", bobJ + "/status", k, null);
    refused("GET", bobJ + "/profiles", k, null);
    refused("POST", bobJ + "/profiles", k, Map.of("name", "evil"));
    refused("GET", bobJ + "/devices", k, null);
    refused("POST", bobJ + "/devices", k, Map.of("name", "evil", "profile", 1, "publicKey", key));
    refused("GET", bobD, k, null);
    refused("PUT", bobD + "/public-key", k, Map.of("publicKey", key));
    refused("POST", bobD + "/revoke", k, null);
    refused("GET", bobD + "/wireguard-config", k, null);
    refused("GET", bobD + "/client-config", k, null);
    // Bob's device addressed through Alice's own Jetson
    refused(
        "GET", "/api/jetsons/" + aliceJetson.jetsonId() + "/devices/" + bobDevice.id(), k, null);
    refused(
        "POST",
        "/api/jetsons/" + aliceJetson.jetsonId() + "/devices/" + bobDevice.id() + "/revoke",
        k,
        null);

    JsonNode accounts = registry.call("GET", "/api/accounts", k, null).json();
    assertThat(accounts.size()).isEqualTo(1);
    assertThat(accounts.get(0).get("username").asString()).isEqualTo(alice.username());
    for (JsonNode apiKey : registry.call("GET", "/api/api-keys", k, null).json()) {
      assertThat(apiKey.get("username").asString()).isEqualTo(alice.username());
    }
    bobUnchanged();
  }

  @Test
  void aliceApiKeyCannotTouchBobsSshKeysRoutesOrAudit() {
    String k = alice.apiKey();
    refused("GET", "/api/accounts/" + bob.username() + "/ssh-keys", k, null);
    refused(
        "POST", "/api/accounts/" + bob.username() + "/ssh-keys", k, Map.of("publicKey", HOST_KEY));
    refused("DELETE", "/api/accounts/" + bob.username() + "/ssh-keys/" + bobKey.id(), k, null);
    refused("DELETE", "/api/accounts/" + alice.username() + "/ssh-keys/" + bobKey.id(), k, null);
    refused("GET", "/api/accounts/" + bobCloud.username() + "/container-route", k, null);
    refused(
        "PUT",
        "/api/accounts/" + bobCloud.username() + "/container-route",
        k,
        Map.of("host", "evil", "port", 22, "hostKey", HOST_KEY));
    refused("DELETE", "/api/accounts/" + bobCloud.username() + "/container-route", k, null);
    refused("GET", "/api/accounts/" + bobCloud.username() + "/ssh-config", k, null);

    JsonNode events = registry.call("GET", "/api/audit-events?size=500", k, null).json();
    boolean sawDenied = false;
    for (JsonNode e : events.get("items")) {
      assertThat(e.get("accountId").asString()).isEqualTo(alice.id().toString());
      assertThat(e.toString()).doesNotContain(bobDevice.id().toString());
      sawDenied |= e.get("outcome").asString().equals("DENIED");
    }
    assertThat(sawDenied).as("denials are audited").isTrue();
    bobUnchanged();
  }

  @Test
  void aliceDeviceTokenCannotReachBobsDevices() {
    String t = aliceJetson.deviceToken();
    String key = X25519.generate().publicKey().base64();
    refused("GET", "/api/jetsons/self/devices/" + bobDevice.id(), t, null);
    refused(
        "PUT",
        "/api/jetsons/self/devices/" + bobDevice.id() + "/public-key",
        t,
        Map.of("publicKey", key));
    refused("POST", "/api/jetsons/self/devices/" + bobDevice.id() + "/revoke", t, null);
    refused("GET", "/api/jetsons/self/devices/" + bobDevice.id() + "/wireguard-config", t, null);
    // a device token is not an API key
    refused("GET", "/api/jetsons/" + bobJetson.jetsonId(), t, null);
    refused("GET", "/api/jetsons/" + aliceJetson.jetsonId(), t, null);
    refused("GET", "/api/accounts/" + alice.username(), t, null);
    refused("GET", "/api/audit-events", t, null);
    // and an API key is not a device token
    refused("GET", "/api/jetsons/self/peers", alice.apiKey(), null);
    refused("PUT", "/api/jetsons/self/status", registry.adminKey(), Map.of());

    JsonNode peers = registry.call("GET", "/api/jetsons/self/peers", t, null).json();
    for (JsonNode p : peers.get("peers")) {
      assertThat(p.get("deviceId").asString()).isNotEqualTo(bobDevice.id().toString());
    }
    JsonNode devices = registry.call("GET", "/api/jetsons/self/devices", t, null).json();
    assertThat(devices.size()).isEqualTo(1);
    assertThat(devices.get(0).get("name").asString()).isEqualTo("alice-phone");
    JsonNode keys = registry.call("GET", "/api/jetsons/self/ssh-keys", t, null).json();
    assertThat(keys.get("username").asString()).isEqualTo(alice.username());
    assertThat(keys.get("keys").size()).isZero();
    bobUnchanged();
  }

  private static void bobUnchanged() {
    assertThat(
            registry.registryClient("test").introspectDeviceToken(bobJetson.deviceToken()).active())
        .isTrue();
    JsonNode devices =
        registry
            .call("GET", "/api/jetsons/" + bobJetson.jetsonId() + "/devices", bob.apiKey(), null)
            .json();
    assertThat(devices.size()).isEqualTo(1);
    assertThat(devices.get(0).get("publicKey").asString()).isNotBlank();
    assertThat(devices.get(0).get("revoked").asBoolean()).isFalse();
    assertThat(registry.registryClient("test").sshKeys(bob.username()).orElseThrow().keys())
        .hasSize(1);
    assertThat(
            registry
                .registryClient("test")
                .containerRoute(bobCloud.username())
                .orElseThrow()
                .host())
        .isEqualTo("container-bob");
    assertThat(
            registry
                .call(
                    "GET", "/api/jetsons/" + bobJetson.jetsonId() + "/profiles", bob.apiKey(), null)
                .json()
                .size())
        .isEqualTo(1);
    assertThat(registry.registryClient("test").introspectApiKey(bob.apiKey()).active()).isTrue();
  }
}
