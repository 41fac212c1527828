package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.DeviceTokenIntrospection;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class EnrollmentFlowTest {

  private final RunningRegistry registry = SharedRegistry.get();

  @Test
  void enrollsAJetsonWithASingleUseCodeAndAnswersItsNetworkSettings() {
    String name = SharedRegistry.name("enr");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    String code = registry.newEnrollmentCode(account);
    String key = X25519.generate().publicKey().base64();

    RunningRegistry.Response enrolled =
        registry.call(
            "POST",
            "/api/jetsons/enroll",
            null,
            Map.of("code", code, "publicKey", key, "hostname", "jetson-" + name));
    assertThat(enrolled.status()).isEqualTo(201);
    JsonNode body = enrolled.json();
    assertThat(body.get("deviceToken").asString()).startsWith("spoq_dev_");
    assertThat(enrolled.header("Cache-Control")).contains("no-store");
    assertThat(body.get("address").asString()).isEqualTo("10.100.0.1/24");
    assertThat(body.get("listenPort").asInt()).isEqualTo(51820);
    assertThat(body.get("fqdn").asString()).isEqualTo(name + ".spoq.dev");
    assertThat(body.get("sshUsers").get(0).asString()).isEqualTo(name);

    // single use
    RunningRegistry.Response again =
        registry.call(
            "POST",
            "/api/jetsons/enroll",
            null,
            Map.of("code", code, "publicKey", key, "hostname", "other"));
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.header("Content-Type")).contains("application/problem+json");

    String token = body.get("deviceToken").asString();
    RunningRegistry.Response self = registry.call("GET", "/api/jetsons/self", token, null);
    assertThat(self.status()).isEqualTo(200);
    assertThat(self.json().get("jetsonId").asString()).isEqualTo(body.get("jetsonId").asString());

    RegistryClient client = registry.registryClient("dns-api");
    DeviceTokenIntrospection introspection = client.introspectDeviceToken(token);
    assertThat(introspection.active()).isTrue();
    assertThat(introspection.subdomain()).isEqualTo(name);
    assertThat(introspection.fqdn()).isEqualTo(name + ".spoq.dev");
  }

  @Test
  void codesExpireAfter15MinutesAndARevokedJetsonCanBeReplaced() throws Exception {
    String name = SharedRegistry.name("exp");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    JsonNode issued =
        registry
            .call("POST", "/api/accounts/" + name + "/enrollment-codes", account.apiKey(), null)
            .json();
    java.time.Instant expires = java.time.Instant.parse(issued.get("expiresAt").asString());
    assertThat(expires)
        .isBetween(
            java.time.Instant.now().plusSeconds(14 * 60),
            java.time.Instant.now().plusSeconds(16 * 60));
    String code = issued.get("code").asString();
    var db = registry.database();
    try (var c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        var st =
            c.prepareStatement(
                "UPDATE registry.enrollment_code SET expires_at = now() - interval '1 second'"
                    + " WHERE code_hash = ?")) {
      st.setString(1, dev.spoq.common.token.Tokens.hash(code));
      assertThat(st.executeUpdate()).isEqualTo(1);
    }
    String key = X25519.generate().publicKey().base64();
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/jetsons/enroll",
            null,
            Map.of("code", code, "publicKey", key, "hostname", "nano")),
        401);

    RunningRegistry.EnrolledJetson first = registry.enrollJetson(account, key, "nano");
    registry.revokeJetson(first.jetsonId());
    Problems.assertProblem(
        registry.call("GET", "/api/jetsons/self", first.deviceToken(), null), 401);
    RunningRegistry.EnrolledJetson second =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano-2");
    assertThat(second.jetsonId()).isNotEqualTo(first.jetsonId());
    assertThat(registry.registryClient("dns-api").jetsonBySubdomain(name).orElseThrow().jetsonId())
        .isEqualTo(second.jetsonId());
    assertThat(registry.registryClient("dns-api").jetson(first.jetsonId()).orElseThrow().revoked())
        .isTrue();
    // a revoked Jetson can no longer be changed
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/jetsons/" + first.jetsonId() + "/device-token/rotate",
            account.apiKey(),
            null),
        409);
  }

  @Test
  void theAgentRotatesItsOwnTokenAndPollsItsWireGuardConfigWithAnEtag() {
    String name = SharedRegistry.name("self");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano");
    RunningRegistry.Response rotated =
        registry.call("POST", "/api/jetsons/self/device-token/rotate", jetson.deviceToken(), null);
    assertThat(rotated.status()).isEqualTo(200);
    String token = rotated.json().get("deviceToken").asString();
    assertThat(token).startsWith("spoq_dev_").isNotEqualTo(jetson.deviceToken());
    Problems.assertProblem(
        registry.call("GET", "/api/jetsons/self", jetson.deviceToken(), null), 401);

    RunningRegistry.Response config =
        registry.call("GET", "/api/jetsons/self/wireguard-config", token, null);
    assertThat(config.status()).isEqualTo(200);
    assertThat(config.body()).contains("Address = 10.100.0.1/24", "ListenPort = 51820");
    String etag = config.header("ETag");
    assertThat(
            registry
                .call(
                    "GET",
                    "/api/jetsons/self/wireguard-config",
                    token,
                    null,
                    Map.of("If-None-Match", etag))
                .status())
        .isEqualTo(304);
    registry.addDevice(jetson.jetsonId(), 1, "phone", X25519.generate().publicKey().base64());
    RunningRegistry.Response changed =
        registry.call(
            "GET",
            "/api/jetsons/self/wireguard-config",
            token,
            null,
            Map.of("If-None-Match", etag));
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.body()).contains("AllowedIPs = 10.100.0.10/32");

    RunningRegistry.Response profiles =
        registry.call("POST", "/api/jetsons/self/profiles", token, Map.of("name", "guests"));
    assertThat(profiles.status()).isEqualTo(201);
    assertThat(profiles.json().get("number").asInt()).isEqualTo(2);
  }
}
