package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Profiles, devices and the address plan, including concurrent registrations. */
class DeviceAllocationTest {

  private final RunningRegistry registry = SharedRegistry.get();

  private record Setup(RunningRegistry.Account account, RunningRegistry.EnrolledJetson jetson) {}

  private Setup jetson() {
    String name = SharedRegistry.name("dev");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    return new Setup(
        account, registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano"));
  }

  private static String key() {
    return X25519.generate().publicKey().base64();
  }

  private RunningRegistry.Response createDevice(
      Setup s, String credential, int profile, String name, String key) {
    return registry.call(
        "POST",
        "/api/jetsons/" + s.jetson().jetsonId() + "/devices",
        credential,
        Map.of("name", name, "profile", profile, "publicKey", key));
  }

  @Test
  void addressesFollowThePlanAndAFullProfileIsAClear409() {
    Setup s = jetson();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      RunningRegistry.Response r = createDevice(s, s.account().apiKey(), 1, "phone-" + i, key());
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      addresses.add(r.json().get("device").get("address").asString());
    }
    assertThat(addresses)
        .containsExactly(
            "10.100.0.10",
            "10.100.0.11",
            "10.100.0.12",
            "10.100.0.13",
            "10.100.0.14",
            "10.100.0.15",
            "10.100.0.16",
            "10.100.0.17",
            "10.100.0.18",
            "10.100.0.19");

    JsonNode full =
        Problems.assertProblem(
            createDevice(s, s.account().apiKey(), 1, "one-too-many", key()), 409);
    assertThat(full.get("type").asString()).endsWith("/profile-full");
    assertThat(full.get("detail").asString()).contains("Profile 1 is full").contains("10.100.0.10");

    // a revoked device frees its address, which the next device gets
    String third =
        registry
            .call(
                "GET",
                "/api/jetsons/" + s.jetson().jetsonId() + "/devices",
                s.account().apiKey(),
                null)
            .json()
            .get(2)
            .get("id")
            .asString();
    assertThat(
            registry
                .call(
                    "POST",
                    "/api/jetsons/" + s.jetson().jetsonId() + "/devices/" + third + "/revoke",
                    s.account().apiKey(),
                    null)
                .status())
        .isEqualTo(200);
    RunningRegistry.Response reuse = createDevice(s, s.account().apiKey(), 1, "phone-new", key());
    assertThat(reuse.json().get("device").get("address").asString()).isEqualTo("10.100.0.12");

    // profile 2 lives in .20-.29
    RunningRegistry.Response profile2 =
        registry.call(
            "POST",
            "/api/jetsons/" + s.jetson().jetsonId() + "/profiles",
            s.account().apiKey(),
            Map.of("name", "family"));
    assertThat(profile2.status()).isEqualTo(201);
    assertThat(profile2.json().get("number").asInt()).isEqualTo(2);
    assertThat(profile2.json().get("addresses").asString()).isEqualTo("10.100.0.20-10.100.0.29");
    RunningRegistry.Response ipad = createDevice(s, s.account().apiKey(), 2, "bobs-ipad", key());
    assertThat(ipad.json().get("device").get("address").asString()).isEqualTo("10.100.0.20");
    assertThat(ipad.json().get("device").get("allowedIps").asString()).isEqualTo("10.100.0.20/32");
  }

  @Test
  void upTo24ProfilesThenConflict() {
    Setup s = jetson();
    for (int n = 2; n <= 24; n++) {
      RunningRegistry.Response r =
          registry.call(
              "POST",
              "/api/jetsons/" + s.jetson().jetsonId() + "/profiles",
              s.account().apiKey(),
              Map.of("name", "p" + n));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      assertThat(r.json().get("number").asInt()).isEqualTo(n);
    }
    JsonNode problem =
        Problems.assertProblem(
            registry.call(
                "POST",
                "/api/jetsons/" + s.jetson().jetsonId() + "/profiles",
                s.account().apiKey(),
                Map.of("name", "p25")),
            409);
    assertThat(problem.get("detail").asString()).contains("24 profiles");
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/jetsons/" + s.jetson().jetsonId() + "/profiles",
            s.account().apiKey(),
            Map.of("name", "x", "number", 25)),
        400);
    assertThat(
            registry
                .call(
                    "GET",
                    "/api/jetsons/" + s.jetson().jetsonId() + "/profiles",
                    s.account().apiKey(),
                    null)
                .json()
                .size())
        .isEqualTo(24);
  }

  @Test
  void duplicateKeysAndMissingProfilesAreRefused() {
    Setup s = jetson();
    String k = key();
    assertThat(createDevice(s, s.account().apiKey(), 1, "a", k).status()).isEqualTo(201);
    Problems.assertProblem(createDevice(s, s.account().apiKey(), 1, "b", k), 409);
    Problems.assertProblem(
        createDevice(s, s.account().apiKey(), 1, "c", s.jetson().publicKey()), 409);
    Problems.assertProblem(createDevice(s, s.account().apiKey(), 1, "a", key()), 409);
    Problems.assertProblem(createDevice(s, s.account().apiKey(), 3, "d", key()), 404);
  }

  @Test
  void keyRotationKeepsHistoryAndBumpsThePeerSet() {
    Setup s = jetson();
    String token = s.jetson().deviceToken();
    RunningRegistry.Response first = registry.call("GET", "/api/jetsons/self/peers", token, null);
    assertThat(first.status()).isEqualTo(200);
    String etag = first.header("ETag");
    assertThat(etag).isNotBlank();
    assertThat(first.json().get("peers").size()).isZero();

    RunningRegistry.Response unchanged =
        registry.call("GET", "/api/jetsons/self/peers", token, null, Map.of("If-None-Match", etag));
    assertThat(unchanged.status()).isEqualTo(304);
    assertThat(unchanged.body()).isEmpty();

    String oldKey = key();
    RunningRegistry.Response created = createDevice(s, s.account().apiKey(), 1, "mac", oldKey);
    String deviceId = created.json().get("device").get("id").asString();
    RunningRegistry.Response changed =
        registry.call("GET", "/api/jetsons/self/peers", token, null, Map.of("If-None-Match", etag));
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.header("ETag")).isNotEqualTo(etag);
    JsonNode peer = changed.json().get("peers").get(0);
    assertThat(peer.get("publicKey").asString()).isEqualTo(oldKey);
    assertThat(peer.get("allowedIps").asString()).isEqualTo("10.100.0.10/32");
    assertThat(peer.get("profile").asInt()).isEqualTo(1);
    assertThat(peer.get("name").asString()).isEqualTo("mac");
    assertThat(peer.get("deviceId").asString()).isEqualTo(deviceId);

    String newKey = key();
    RunningRegistry.Response rotated =
        registry.call(
            "PUT",
            "/api/jetsons/" + s.jetson().jetsonId() + "/devices/" + deviceId + "/public-key",
            s.account().apiKey(),
            Map.of("publicKey", newKey));
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
    assertThat(rotated.json().get("device").get("publicKey").asString()).isEqualTo(newKey);
    assertThat(rotated.json().get("device").get("address").asString()).isEqualTo("10.100.0.10");
    assertThat(rotated.json().get("keyHistory").get(0).get("publicKey").asString())
        .isEqualTo(oldKey);
    RunningRegistry.Response afterRotation =
        registry.call(
            "GET",
            "/api/jetsons/self/peers",
            token,
            null,
            Map.of("If-None-Match", changed.header("ETag")));
    assertThat(afterRotation.status()).isEqualTo(200);
    assertThat(afterRotation.json().get("peers").get(0).get("publicKey").asString())
        .isEqualTo(newKey);
    // the old key is free again for another device? no: it is history, a new device may use it
    registry.call(
        "POST",
        "/api/jetsons/" + s.jetson().jetsonId() + "/devices/" + deviceId + "/revoke",
        s.account().apiKey(),
        null);
    RunningRegistry.Response afterRevoke =
        registry.call("GET", "/api/jetsons/self/peers", token, null);
    assertThat(afterRevoke.json().get("peers").size()).isZero();

    // the Jetson rotates its own key
    String jetsonKey = key();
    RunningRegistry.Response own =
        registry.call("PUT", "/api/jetsons/self/public-key", token, Map.of("publicKey", jetsonKey));
    assertThat(own.status()).isEqualTo(200);
    assertThat(own.json().get("publicKey").asString()).isEqualTo(jetsonKey);
  }

  @Test
  void theAgentRegistersADeviceItMadeItself() {
    Setup s = jetson();
    String token = s.jetson().deviceToken();
    X25519.KeyPair phone = X25519.generate();
    RunningRegistry.Response r =
        registry.call(
            "POST",
            "/api/jetsons/self/devices",
            token,
            Map.of("name", "alice-iphone", "profile", 1, "publicKey", phone.publicKey().base64()));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode config = r.json().get("clientConfig");
    assertThat(config.get("address").asString()).isEqualTo("10.100.0.10/32");
    assertThat(config.get("endpoint").asString())
        .isEqualTo(s.account().subdomain() + ".spoq.dev:51820");
    assertThat(config.get("peerPublicKey").asString()).isEqualTo(s.jetson().publicKey());
    assertThat(config.get("config").asString())
        .contains("# PrivateKey = ")
        .contains("DNS = 10.100.0.1")
        .contains("AllowedIPs = 10.100.0.0/24")
        .contains("PersistentKeepalive = 25")
        .doesNotContain(phone.privateKey().base64());
    String id = r.json().get("device").get("id").asString();
    RunningRegistry.Response text =
        registry.call("GET", "/api/jetsons/self/devices/" + id + "/wireguard-config", token, null);
    assertThat(text.status()).isEqualTo(200);
    assertThat(text.header("Content-Type")).startsWith("text/plain");
    assertThat(text.body()).isEqualTo(config.get("config").asString());
  }

  @Test
  void concurrentRegistrationsNeverShareAnAddress() throws Exception {
    Setup s = jetson();
    for (int p = 2; p <= 3; p++) {
      registry.ensureProfile(s.jetson().jetsonId(), p);
    }
    int requests = 45; // capacity 3 profiles x 10 = 30
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<RunningRegistry.Response>> results = new ArrayList<>();
    try {
      for (int i = 0; i < requests; i++) {
        int profile = 1 + i % 3;
        String name = "dev-" + i;
        Callable<RunningRegistry.Response> call =
            () -> {
              start.await();
              return createDevice(s, s.account().apiKey(), profile, name, key());
            };
        results.add(pool.submit(call));
      }
      start.countDown();
      Set<String> addresses = new HashSet<>();
      int created = 0;
      int full = 0;
      for (Future<RunningRegistry.Response> f : results) {
        RunningRegistry.Response r = f.get();
        if (r.status() == 201) {
          created++;
          assertThat(addresses.add(r.json().get("device").get("address").asString())).isTrue();
        } else {
          assertThat(r.status()).as(r.body()).isEqualTo(409);
          assertThat(r.json().get("type").asString()).endsWith("/profile-full");
          full++;
        }
      }
      assertThat(created).isEqualTo(30);
      assertThat(full).isEqualTo(15);
      assertThat(addresses).hasSize(30);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theDatabaseItselfRefusesASharedAddress() throws SQLException {
    Setup s = jetson();
    createDevice(s, s.account().apiKey(), 1, "first", key());
    var db = registry.database();
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        Statement st = c.createStatement()) {
      UUID jetsonId = s.jetson().jetsonId();
      String insert =
          "INSERT INTO registry.device (jetson_id, profile, name, public_key, host_octet,"
              + " last_host_octet) VALUES ('"
              + jetsonId
              + "', 1, 'sneaky', 'k', 10, 10)";
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.execute(insert))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("device_address_unique");
    }
  }
}
