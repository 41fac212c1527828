package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Malformed, oversized and hostile input: a clear problem answer, and nothing changes. */
class BadInputTest {

  private final RunningRegistry registry = SharedRegistry.get();

  private static final List<String> BAD_KEYS =
      List.of(
          "",
          "not base64 at all",
          Base64.getEncoder().encodeToString(new byte[31]) + "==",
          Base64.getEncoder().encodeToString(new byte[32]),
          Base64.getEncoder().encodeToString(new byte[33]),
          "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!",
          "'; DROP TABLE registry.device; --");

  private static final String HUGE = "x".repeat(70_000);

  private long count(String table) {
    var db = registry.database();
    try (var c = java.sql.DriverManager.getConnection(db.jdbcUrl(), db.username(), db.password());
        var st = c.createStatement();
        var rs = st.executeQuery("SELECT count(*) FROM registry." + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void accountsRefuseBadLabelsReservedNamesAndMalformedBodies() {
    long before = count("account");
    String admin = registry.adminKey();
    List<Map<String, Object>> invalid =
        List.of(
            Map.of("username", "Alice", "subdomain", "alice", "product", "JETSON"),
            Map.of("username", "alice", "subdomain", "-alice", "product", "JETSON"),
            Map.of("username", "alice", "subdomain", "alice-", "product", "JETSON"),
            Map.of("username", "alice", "subdomain", "al_ice", "product", "JETSON"),
            Map.of("username", "alice", "subdomain", "a".repeat(64), "product", "JETSON"),
            Map.of("username", "alice", "subdomain", "", "product", "JETSON"),
            Map.of("username", "alice", "subdomain", "alice.evil", "product", "JETSON"),
            Map.of("username", "x'; DROP TABLE account;--", "subdomain", "x", "product", "CLOUD"),
            Map.of("username", "x", "subdomain", "$(reboot)", "product", "CLOUD"),
            Map.of("username", "x", "subdomain", "x", "product", "PHONE"),
            Map.of("username", "x", "subdomain", "x", "product", 5),
            Map.of("username", "x", "subdomain", "x"));
    for (Map<String, Object> body : invalid) {
      Problems.assertProblem(registry.call("POST", "/api/accounts", admin, body), 400);
    }
    for (String reserved : List.of("www", "api", "ssh", "jump", "relay", "lb", "admin")) {
      JsonNode p =
          Problems.assertProblem(
              registry.call(
                  "POST",
                  "/api/accounts",
                  admin,
                  Map.of("username", "ok-" + reserved, "subdomain", reserved, "product", "CLOUD")),
              400);
      assertThat(p.get("detail").asString()).contains("reserved");
    }
    // malformed JSON, unknown fields, trailing garbage, wrong media type, oversized, empty
    Problems.assertProblem(registry.call("POST", "/api/accounts", admin, "{\"username\":"), 400);
    JsonNode unknown =
        Problems.assertProblem(
            registry.call(
                "POST",
                "/api/accounts",
                admin,
                "{\"username\":\"u1\",\"subdomain\":\"u1\",\"product\":\"CLOUD\",\"admin\":true}"),
            400);
    assertThat(unknown.get("type").asString()).endsWith("/malformed-request");
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/accounts",
            admin,
            "{\"username\":\"u2\",\"subdomain\":\"u2\",\"product\":\"CLOUD\"} {}"),
        400);
    Problems.assertProblem(registry.call("POST", "/api/accounts", admin, "[]"), 400);
    Problems.assertProblem(registry.call("POST", "/api/accounts", admin, ""), 400);
    Problems.assertProblem(
        registry.call(
            "POST", "/api/accounts", admin, "username=u3", Map.of("Content-Type", "text/plain")),
        415);
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/accounts",
            admin,
            Map.of("username", "u4", "subdomain", "u4", "product", "CLOUD", "pad", HUGE)),
        413);
    Problems.assertProblem(registry.call("DELETE", "/api/accounts", admin, null), 405);
    Problems.assertProblem(registry.call("GET", "/api/nothing-here", admin, null), 404);
    Problems.assertProblem(
        registry.call("GET", "/api/accounts/x'%20OR%20'1'='1", admin, null), 404);
    assertThat(count("account")).isEqualTo(before);

    // duplicates are conflicts, not errors
    String name = SharedRegistry.name("dup");
    registry.createAccount(name, name, Product.CLOUD);
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/accounts",
            admin,
            Map.of("username", name, "subdomain", name + "-other", "product", "CLOUD")),
        409);
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/accounts",
            admin,
            Map.of("username", name + "-other", "subdomain", name, "product", "CLOUD")),
        409);
  }

  @Test
  void enrollmentRefusesBadKeysHostnamesAndCodesWithoutConsumingTheCode() {
    String name = SharedRegistry.name("badenr");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    String code = registry.newEnrollmentCode(account);
    long jetsons = count("jetson");
    for (String key : BAD_KEYS) {
      Problems.assertProblem(
          registry.call(
              "POST",
              "/api/jetsons/enroll",
              null,
              Map.of("code", code, "publicKey", key, "hostname", "nano")),
          400);
    }
    String key = X25519.generate().publicKey().base64();
    for (String hostname : List.of("", "nano; rm -rf /", "$(id)", "a b", "-x", "x".repeat(300))) {
      Problems.assertProblem(
          registry.call(
              "POST",
              "/api/jetsons/enroll",
              null,
              Map.of("code", code, "publicKey", key, "hostname", hostname)),
          400);
    }
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/jetsons/enroll",
            null,
            Map.of("code", code, "publicKey", key, "hostname", "nano", "accountId", "x")),
        400);
    for (String wrong :
        List.of(
            "spoq_enr_" + "A".repeat(43), "spoq_dev_" + "A".repeat(43), "garbage", "' OR 1=1")) {
      Problems.assertProblem(
          registry.call(
              "POST",
              "/api/jetsons/enroll",
              null,
              Map.of("code", wrong, "publicKey", key, "hostname", "nano")),
          401);
    }
    assertThat(count("jetson")).isEqualTo(jetsons);
    // the code survived all of that
    RunningRegistry.EnrolledJetson ok = registry.enrollJetson(code, key, "nano");
    assertThat(ok.deviceToken()).startsWith("spoq_dev_");
    // a second Jetson for the same account is a conflict, and does not burn the code
    String second = registry.newEnrollmentCode(account);
    Problems.assertProblem(
        registry.call(
            "POST",
            "/api/jetsons/enroll",
            null,
            Map.of(
                "code",
                second,
                "publicKey",
                X25519.generate().publicKey().base64(),
                "hostname",
                "b")),
        409);
    // CLOUD accounts get no enrollment codes
    String cloud = SharedRegistry.name("cloudenr");
    RunningRegistry.Account c = registry.createAccount(cloud, cloud, Product.CLOUD);
    Problems.assertProblem(
        registry.call("POST", "/api/accounts/" + cloud + "/enrollment-codes", c.apiKey(), null),
        409);
  }

  @Test
  void devicesRefuseBadKeysNamesAndProfiles() {
    String name = SharedRegistry.name("baddev");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano");
    String path = "/api/jetsons/" + jetson.jetsonId() + "/devices";
    long before = count("device");
    for (String key : BAD_KEYS) {
      Problems.assertProblem(
          registry.call(
              "POST",
              path,
              account.apiKey(),
              Map.of("name", "phone", "profile", 1, "publicKey", key)),
          400);
      Problems.assertProblem(
          registry.call(
              "POST",
              "/api/jetsons/self/devices",
              jetson.deviceToken(),
              Map.of("name", "phone", "profile", 1, "publicKey", key)),
          400);
    }
    String key = X25519.generate().publicKey().base64();
    for (String bad :
        List.of(
            "",
            " phone",
            "phone\nPublicKey = x",
            "a'; DROP TABLE device;--",
            "$(reboot)",
            "`id`",
            "x".repeat(64),
            "phone|cat")) {
      Problems.assertProblem(
          registry.call(
              "POST", path, account.apiKey(), Map.of("name", bad, "profile", 1, "publicKey", key)),
          400);
    }
    for (Object profile : List.of(0, 25, -1, "one", 1.5)) {
      Problems.assertProblem(
          registry.call(
              "POST",
              path,
              account.apiKey(),
              Map.of("name", "phone", "profile", profile, "publicKey", key)),
          400);
    }
    Problems.assertProblem(
        registry.call(
            "POST",
            path,
            account.apiKey(),
            Map.of("name", "phone", "profile", 1, "publicKey", key, "address", "10.100.0.1")),
        400);
    Problems.assertProblem(
        registry.call(
            "POST",
            path,
            account.apiKey(),
            Map.of("name", "phone", "profile", 1, "publicKey", key, "privateKey", key)),
        400);
    Problems.assertProblem(
        registry.call("GET", "/api/jetsons/not-a-uuid/devices", account.apiKey(), null), 400);
    assertThat(count("device")).isEqualTo(before);
  }

  @Test
  void credentialsInOddShapesAreRefused() {
    for (String header :
        List.of(
            "Bearer",
            "Bearer ",
            "Basic YWxpY2U6cGFzc3dvcmQ=",
            "bearer " + "x".repeat(600),
            "Bearer spoq_key_' OR '1'='1",
            "Bearer " + registry.serviceToken("dns-api") + "x")) {
      Problems.assertProblem(
          registry.call("GET", "/api/accounts", null, null, Map.of("Authorization", header)), 401);
    }
    // internal API bodies
    String svc = registry.serviceToken("dns-api");
    Problems.assertProblem(
        registry.call(
            "POST", "/internal/v1/device-tokens/introspect", svc, Map.of("token", "x", "y", 1)),
        400);
    Problems.assertProblem(
        registry.call("POST", "/internal/v1/device-tokens/introspect", svc, "{"), 400);
    Problems.assertProblem(
        registry.call("POST", "/internal/v1/device-tokens/introspect", svc, Map.of()), 400);
    Problems.assertProblem(
        registry.call(
            "POST",
            "/internal/v1/audit-events",
            svc,
            Map.of("actor", "x", "action", "a", "outcome", "MAYBE")),
        400);
    Problems.assertProblem(
        registry.call(
            "POST",
            "/internal/v1/audit-events",
            svc,
            Map.of("actor", "x y; rm", "action", "a", "outcome", "SUCCESS")),
        400);
    Problems.assertProblem(
        registry.call(
            "POST",
            "/internal/v1/audit-events",
            svc,
            Map.of(
                "actor", "x", "action", "a", "outcome", "SUCCESS", "details", Map.of("p", HUGE))),
        413);
    Problems.assertProblem(registry.call("GET", "/internal/v1/jetsons/not-a-uuid", svc, null), 400);
  }

  @Test
  void onlyHealthIsOpen() {
    assertThat(registry.call("GET", "/actuator/health", null, null).status()).isEqualTo(200);
    assertThat(registry.call("GET", "/actuator/health/readiness", null, null).status())
        .isEqualTo(200);
    Problems.assertProblem(registry.call("GET", "/actuator/prometheus", null, null), 401);
    String name = SharedRegistry.name("prom");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.CLOUD);
    Problems.assertProblem(
        registry.call("GET", "/actuator/prometheus", account.apiKey(), null), 403);
    RunningRegistry.Response metrics =
        registry.call("GET", "/actuator/prometheus", registry.serviceToken("e2e"), null);
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("http_server_requests");
    assertThat(registry.call("GET", "/actuator/prometheus", registry.adminKey(), null).status())
        .isEqualTo(200);
    for (String path :
        List.of("/api/accounts", "/api/audit-events", "/api/jetsons/self", "/internal/v1/x")) {
      Problems.assertProblem(registry.call("GET", path, null, null), 401);
    }
  }

  @Test
  void weakWireGuardKeysAreRefused() {
    String name = SharedRegistry.name("weak");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    String smallOrder = "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=";
    String nonCanonical = "7f///////////////////////////////////////38=";
    String code = registry.newEnrollmentCode(account);
    for (String key : List.of(smallOrder, nonCanonical)) {
      Problems.assertProblem(
          registry.call(
              "POST",
              "/api/jetsons/enroll",
              null,
              Map.of("code", code, "publicKey", key, "hostname", "nano")),
          400);
    }
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(code, X25519.generate().publicKey().base64(), "nano");
    for (String key : List.of(smallOrder, nonCanonical)) {
      Problems.assertProblem(
          registry.call(
              "POST",
              "/api/jetsons/" + jetson.jetsonId() + "/devices",
              registry.adminKey(),
              Map.of("name", "weak", "profile", 1, "publicKey", key)),
          400);
      Problems.assertProblem(
          registry.call(
              "PUT",
              "/api/jetsons/self/public-key",
              jetson.deviceToken(),
              Map.of("publicKey", key)),
          400);
    }
  }

  @Test
  void encodedActuatorPathsAreGuardedOrRefused() {
    String name = SharedRegistry.name("enc");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.CLOUD);
    // issue 13 item 1: an account key got the metrics through these
    Problems.assertProblem(
        registry.call("GET", "/%61ctuator/prometheus", account.apiKey(), null), 403);
    Problems.assertProblem(registry.call("GET", "/%61ctuator/prometheus", null, null), 401);
    for (String path :
        List.of(
            "/actuator;x/prometheus",
            "/actuator/%2e/prometheus",
            "/api/%2e%2e/actuator/prometheus",
            "//actuator/prometheus")) {
      RunningRegistry.Response r = registry.call("GET", path, account.apiKey(), null);
      assertThat(r.status()).as(path).isEqualTo(400);
      assertThat(r.body()).as(path).doesNotContain("http_server_requests");
    }
    assertThat(registry.call("GET", "/%61ctuator/prometheus", registry.adminKey(), null).status())
        .isEqualTo(200);
  }

  @Test
  void tomcatLevelRefusalsAreProblems() {
    String name = SharedRegistry.name("tc");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.CLOUD);
    Problems.assertProblem(
        registry.call("GET", "/api/accounts/a%2fb", account.apiKey(), null), 400);
    Problems.assertProblem(
        registry.call("GET", "/api/accounts/a%00b", account.apiKey(), null), 400);
    RunningRegistry.Response big =
        registry.call("GET", "/api/accounts", "spoq_key_" + "A".repeat(8 * 1024), null);
    assertThat(big.status()).isIn(400, 431);
    assertThat(big.header("Content-Type")).contains("application/problem+json");
  }

  @Test
  void aChunkedOversizedBodyIsCutOffToo() throws Exception {
    long before = count("account");
    byte[] body =
        ("{\"username\":\"chunky\",\"subdomain\":\"chunky\",\"product\":\"CLOUD\",\"pad\":\""
                + HUGE
                + "\"}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.net.http.HttpRequest request =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(registry.baseUrl() + "/api/accounts"))
            .header("Authorization", "Bearer " + registry.adminKey())
            .header("Content-Type", "application/json")
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(body)))
            .build();
    java.net.http.HttpResponse<String> response =
        java.net.http.HttpClient.newHttpClient()
            .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.body()).contains("payload-too-large");
    assertThat(count("account")).isEqualTo(before);
  }
}
