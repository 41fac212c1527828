package dev.spoq.relay.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.support.RelayServiceTest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The frps HTTP server plugin endpoint, fed request bodies with frp's own field names (see the frp
 * project's doc/server_plugin.md), for Jetsons enrolled in the real registry. Revocation happens in
 * the real registry too.
 */
class FrpsPluginTest extends RelayServiceTest {

  @org.springframework.beans.factory.annotation.Autowired dev.spoq.relay.audit.DenialAudit denials;

  private RunningRegistry.EnrolledJetson alice;
  private RunningRegistry.EnrolledJetson bob;
  private JsonNode aliceAssignment;
  private JsonNode bobAssignment;

  @BeforeEach
  void fleetAndJetsons() throws Exception {
    relay("us-1", "us", 40000, 40099, 100);
    relay("eu-1", "eu", 40000, 40099, 100);
    health.pollAll();
    alice = jetson("alice");
    bob = jetson("bob");
    aliceAssignment = call("GET", "/api/relay/assignment", alice.deviceToken(), null).json();
    bobAssignment = call("GET", "/api/relay/assignment", bob.deviceToken(), null).json();
    assertThat(aliceAssignment.get("relay").get("id").asString()).isEqualTo("us-1");
    assertThat(bobAssignment.get("relay").get("id").asString()).isEqualTo("us-1");
  }

  private Answer plugin(String relayId, String op, Object content) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("version", "0.1.0");
    body.put("op", op);
    body.put("content", content);
    return call(
        "POST",
        "/frps-plugin/" + PLUGIN_SECRET + "/" + relayId + "/handler?version=0.1.0&op=" + op,
        null,
        body);
  }

  private static Map<String, Object> login(String credential, String user) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("version", "0.61.1");
    c.put("hostname", "");
    c.put("os", "linux");
    c.put("arch", "arm64");
    c.put("user", user);
    c.put("timestamp", 1732512345L);
    c.put("privilege_key", "9b2f1c0e3d4a5b6c7d8e9f0a1b2c3d4e");
    c.put("run_id", "8a3c2f1e9d7b6a50");
    c.put("pool_count", 1);
    c.put("metas", Map.of("spoq_relay_credential", credential));
    c.put("client_address", "203.0.113.7:51234");
    return c;
  }

  private static Map<String, Object> userInfo(String credential) {
    return Map.of(
        "user",
        "",
        "metas",
        Map.of("spoq_relay_credential", credential),
        "run_id",
        "8a3c2f1e9d7b6a50");
  }

  private static Map<String, Object> newProxy(
      String credential, String name, String type, int remotePort) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("user", userInfo(credential));
    c.put("proxy_name", name);
    c.put("proxy_type", type);
    c.put("use_encryption", false);
    c.put("use_compression", false);
    c.put("bandwidth_limit", "");
    c.put("bandwidth_limit_mode", "client");
    c.put("group", "");
    c.put("group_key", "");
    c.put("remote_port", remotePort);
    return c;
  }

  private static Map<String, Object> ping(String credential) {
    return Map.of(
        "user", userInfo(credential), "timestamp", 1732512399L, "privilege_key", "0f1e2d3c4b5a");
  }

  private static void assertAllowed(Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonNode json = answer.json();
    assertThat(json.size()).isEqualTo(2);
    assertThat(json.get("reject").isBoolean()).isTrue();
    assertThat(json.get("reject").asBoolean()).isFalse();
    assertThat(json.get("unchange").isBoolean()).isTrue();
    assertThat(json.get("unchange").asBoolean()).isTrue();
    assertThat(json.has("content")).isFalse();
  }

  private static void assertRejected(Answer answer, String reasonPart) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    JsonNode json = answer.json();
    assertThat(json.get("reject").isBoolean()).isTrue();
    assertThat(json.get("reject").asBoolean()).isTrue();
    assertThat(json.get("reject_reason").asString()).contains(reasonPart);
    assertThat(json.has("content")).isFalse();
  }

  private String cred(JsonNode assignment) {
    return assignment.get("relayCredential").asString();
  }

  private String name(JsonNode assignment) {
    return assignment.get("proxyName").asString();
  }

  private int port(JsonNode assignment) {
    return assignment.get("remotePort").asInt();
  }

  @Test
  void allowIsExactlyRejectFalseUnchangeTrue() {
    Answer answer = plugin("us-1", "Login", login(cred(aliceAssignment), ""));
    assertAllowed(answer);
    assertThat(answer.body().replace(" ", "")).isEqualTo("{\"reject\":false,\"unchange\":true}");
    assertThat(answer.headers().first("Content-Type")).startsWith("application/json");
  }

  @Test
  void loginRefusesWrongMissingOrRotatedCredentialsAndUsers() {
    assertRejected(
        plugin("us-1", "Login", login(randomToken("spoq_rly"), "")), "invalid relay credential");
    assertRejected(plugin("us-1", "Login", login("not-a-credential", "")), "malformed");
    Map<String, Object> noMetas = login(cred(aliceAssignment), "");
    noMetas.remove("metas");
    assertRejected(plugin("us-1", "Login", noMetas), "missing");
    assertRejected(plugin("us-1", "Login", login(cred(aliceAssignment), "alice")), "'user'");

    String old = cred(aliceAssignment);
    JsonNode rotated =
        call("POST", "/api/relay/credential/rotate", alice.deviceToken(), null).json();
    assertThat(cred(rotated)).isNotEqualTo(old).startsWith("spoq_rly_");
    assertRejected(plugin("us-1", "Login", login(old, "")), "invalid relay credential");
    assertAllowed(plugin("us-1", "Login", login(cred(rotated), "")));
    // the assignment answer keeps showing the current credential
    assertThat(cred(call("GET", "/api/relay/assignment", alice.deviceToken(), null).json()))
        .isEqualTo(cred(rotated));
  }

  @Test
  void loginOnlyOnTheAssignedRelay() {
    assertRejected(
        plugin("eu-1", "Login", login(cred(aliceAssignment), "")), "assigned to relay us-1");
  }

  @Test
  void newProxyOnlyUdpOwnNameOwnPort() {
    String c = cred(aliceAssignment);
    assertAllowed(
        plugin(
            "us-1", "NewProxy", newProxy(c, name(aliceAssignment), "udp", port(aliceAssignment))));
    assertRejected(
        plugin(
            "us-1", "NewProxy", newProxy(c, name(aliceAssignment), "tcp", port(aliceAssignment))),
        "only 'udp'");
    assertRejected(
        plugin("us-1", "NewProxy", newProxy(c, name(aliceAssignment), "udp", port(bobAssignment))),
        "is not assigned to this Jetson");
    assertRejected(
        plugin("us-1", "NewProxy", newProxy(c, name(bobAssignment), "udp", port(bobAssignment))),
        "proxy name must be " + name(aliceAssignment));
    assertRejected(
        plugin("us-1", "NewProxy", newProxy(c, name(aliceAssignment), "udp", 0)),
        "is not assigned to this Jetson");
    assertRejected(
        plugin(
            "eu-1", "NewProxy", newProxy(c, name(aliceAssignment), "udp", port(aliceAssignment))),
        "assigned to relay us-1");
    assertThat(
            jdbc.sql("SELECT proxy_open FROM assignment WHERE jetson_id = ?")
                .param(alice.jetsonId())
                .query(Boolean.class)
                .single())
        .isTrue();
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM plugin_event WHERE jetson_id = ? AND op = 'NewProxy' AND NOT allowed")
                .param(alice.jetsonId())
                .query(Integer.class)
                .single())
        .isEqualTo(5);
  }

  @Test
  void revokedJetsonIsRefusedAtLoginNewProxyAndItsNextPing() {
    String c = cred(aliceAssignment);
    assertAllowed(plugin("us-1", "Login", login(c, "")));
    assertAllowed(plugin("us-1", "Ping", ping(c)));

    registry().revokeJetson(alice.jetsonId());

    // within the revocation cache TTL (1 s here, 10 s by default, frpc pings every 30 s)
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertRejected(plugin("us-1", "Ping", ping(c)), "revoked"));
    assertRejected(plugin("us-1", "Login", login(c, "")), "revoked");
    assertRejected(
        plugin(
            "us-1", "NewProxy", newProxy(c, name(aliceAssignment), "udp", port(aliceAssignment))),
        "revoked");
    // bob is unaffected
    assertAllowed(plugin("us-1", "Ping", ping(cred(bobAssignment))));

    // the refusals reached the registry's audit log, from this service, aggregated with a count
    denials.flush();
    var db = registry().database();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              try (var conn =
                      java.sql.DriverManager.getConnection(
                          db.jdbcUrl(), db.username(), db.password());
                  var st =
                      conn.prepareStatement(
                          "SELECT coalesce(sum((details->>'count')::int), 0) FROM registry.audit_event"
                              + " WHERE action = 'relay.plugin.denied'"
                              + " AND actor = ? AND outcome = 'DENIED' AND service = 'relay-coordinator'"
                              + " AND details->>'reason' LIKE '%revoked%'")) {
                st.setString(1, "jetson:" + alice.jetsonId());
                var rs = st.executeQuery();
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(3);
              }
            });
  }

  @Test
  void aLoginIsRecordedAsAllowedOnlyWhenItsNewProxyFollowsAndRetriesRecordOnce() {
    String c = cred(aliceAssignment);
    assertAllowed(plugin("us-1", "Login", login(c, "")));
    // frps checks its own auth.token after the plugin: nothing recorded as allowed yet
    assertThat(loginRows()).isZero();
    Map<String, Object> proxy = newProxy(c, name(aliceAssignment), "udp", port(aliceAssignment));
    assertAllowed(plugin("us-1", "NewProxy", proxy));
    // frps retried the same NewProxy (e.g. through the balancer to another replica)
    assertAllowed(plugin("us-1", "NewProxy", proxy));
    assertThat(loginRows()).isEqualTo(1);
    assertThat(
            jdbc.sql(
                    "SELECT client_addr FROM plugin_event WHERE jetson_id = ? AND op = 'Login' AND allowed")
                .param(alice.jetsonId())
                .query(String.class)
                .single())
        .isEqualTo("203.0.113.7:51234");
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM plugin_event WHERE jetson_id = ? AND op = 'NewProxy' AND allowed")
                .param(alice.jetsonId())
                .query(Integer.class)
                .single())
        .isEqualTo(1);
    // a refused Login from a stranger writes no plugin_event row
    assertRejected(plugin("us-1", "Login", login(randomToken("spoq_rly"), "")), "invalid");
    assertThat(
            jdbc.sql("SELECT count(*) FROM plugin_event WHERE op = 'Login' AND NOT allowed")
                .query(Integer.class)
                .single())
        .isZero();
  }

  private int loginRows() {
    return jdbc.sql("SELECT count(*) FROM plugin_event WHERE jetson_id = ? AND op = 'Login'")
        .param(alice.jetsonId())
        .query(Integer.class)
        .single();
  }

  @Test
  void closeProxyIsRecordedAndAllowed() {
    String c = cred(aliceAssignment);
    assertAllowed(
        plugin(
            "us-1", "NewProxy", newProxy(c, name(aliceAssignment), "udp", port(aliceAssignment))));
    assertAllowed(
        plugin(
            "us-1",
            "CloseProxy",
            Map.of("user", userInfo(c), "proxy_name", name(aliceAssignment))));
    assertThat(
            jdbc.sql("SELECT proxy_open FROM assignment WHERE jetson_id = ?")
                .param(alice.jetsonId())
                .query(Boolean.class)
                .single())
        .isFalse();
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM plugin_event WHERE jetson_id = ? AND op = 'CloseProxy' AND proxy_name = ?")
                .params(alice.jetsonId(), name(aliceAssignment))
                .query(Integer.class)
                .single())
        .isEqualTo(1);
  }

  @Test
  void secretPathMalformedBodiesAndUnknownThings() {
    Map<String, Object> body =
        Map.of("version", "0.1.0", "op", "Login", "content", login(cred(aliceAssignment), ""));
    assertThat(
            call("POST", "/frps-plugin/wrong_secret_0123456789/us-1/handler", null, body).status())
        .isEqualTo(404);
    assertThat(
            call("POST", "/frps-plugin/" + PLUGIN_SECRET + "/US_1!/handler", null, body).status())
        .isEqualTo(404);
    String base = "/frps-plugin/" + PLUGIN_SECRET + "/us-1/handler";
    Answer malformed = call("POST", base, null, "{\"op\": \"Login\", \"content\": {");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.headers().first("Content-Type")).startsWith("application/problem+json");
    assertThat(call("POST", base, null, Map.of("op", "Login")).status()).isEqualTo(400);
    assertThat(call("POST", base, null, Map.of("op", 7, "content", Map.of())).status())
        .isEqualTo(400);
    assertThat(call("POST", base, null, "[1,2]").status()).isEqualTo(400);
    assertThat(call("POST", base + "?op=NewProxy", null, body).status()).isEqualTo(400);
    assertRejected(plugin("us-1", "Explode", Map.of()), "unsupported");
    assertRejected(plugin("xx-9", "Login", login(cred(aliceAssignment), "")), "not registered");
    String huge = "{\"op\":\"Login\",\"content\":{\"hostname\":\"" + "x".repeat(70_000) + "\"}}";
    assertThat(call("POST", base, null, huge).status()).isEqualTo(413);
    assertThat(call("GET", base, null, null).status()).isEqualTo(405);
  }
}
