package dev.spoq.relay.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.assignment.AssignmentService;
import dev.spoq.relay.support.RelayServiceTest;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The fleet and scaling APIs: admin only, credentials never shown, bad input changes nothing. */
class FleetApiTest extends RelayServiceTest {

  @Autowired AssignmentService assignments;

  private Map<String, Object> body(String id) {
    Map<String, Object> b = new HashMap<>();
    b.put("id", id);
    b.put("region", "eu");
    b.put("publicHost", "relay-eu-1.spoq.dev");
    b.put("bindPort", 7000);
    b.put("udpPortRange", Map.of("start", 40000, "end", 40999));
    b.put("capacity", 500);
    b.put("adminUrl", "http://10.0.0.5:7500");
    b.put("adminUser", "admin");
    b.put("adminPassword", "s3cret-admin-pw");
    return b;
  }

  @Test
  void registerListAndNeverShowCredentials() {
    Answer created = call("POST", "/api/relays", admin(), body("eu-1"));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonNode r = created.json();
    assertThat(r.get("id").asString()).isEqualTo("eu-1");
    assertThat(r.get("status").asString()).isEqualTo("UNKNOWN");
    assertThat(r.get("adminCredentialsSet").asBoolean()).isTrue();
    assertThat(r.get("effectiveCapacity").asInt()).isEqualTo(500);
    for (Answer a :
        new Answer[] {
          created,
          call("GET", "/api/relays", admin(), null),
          call("GET", "/api/relays/eu-1", admin(), null)
        }) {
      assertThat(a.body()).doesNotContain("s3cret-admin-pw").doesNotContain("adminPassword");
    }
    assertThat(call("POST", "/api/relays", admin(), body("eu-1")).status()).isEqualTo(409);
    // stored, used for polling
    assertThat(
            jdbc.sql("SELECT admin_password FROM relay WHERE id = 'eu-1'")
                .query(String.class)
                .single())
        .isEqualTo("s3cret-admin-pw");

    // update without a password keeps the stored one
    Map<String, Object> change = body("eu-1");
    change.remove("adminPassword");
    change.put("capacity", 800);
    Answer updated = call("PUT", "/api/relays/eu-1", admin(), change);
    assertThat(updated.status()).as(updated.body()).isEqualTo(200);
    assertThat(updated.json().get("capacity").asInt()).isEqualTo(800);
    assertThat(
            jdbc.sql("SELECT admin_password FROM relay WHERE id = 'eu-1'")
                .query(String.class)
                .single())
        .isEqualTo("s3cret-admin-pw");
  }

  @Test
  void adminOnly() {
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    String accountKey = accountOf(alice).apiKey();
    for (String bearer : new String[] {accountKey, alice.deviceToken()}) {
      assertThat(call("POST", "/api/relays", bearer, body("eu-1")).status()).isEqualTo(403);
      assertThat(call("GET", "/api/relays", bearer, null).status()).isEqualTo(403);
      assertThat(call("POST", "/api/relays/eu-1/drain", bearer, null).status()).isEqualTo(403);
      assertThat(call("GET", "/api/relay/scaling", bearer, null).status()).isEqualTo(403);
    }
    assertThat(call("GET", "/api/relays", null, null).status()).isEqualTo(401);
    assertThat(call("GET", "/api/relays", "garbage", null).status()).isEqualTo(401);
    assertThat(jdbc.sql("SELECT count(*) FROM relay").query(Integer.class).single()).isZero();
  }

  @Test
  void badInputIsAProblemAndChangesNothing() {
    String[][] bad = {
      {"region", "EU!"},
      {"id", "Bad_Id"},
      {"publicHost", "bad host"},
      {"publicHost", "-x.test"},
      {"adminUrl", "ftp://10.0.0.5"},
      {"adminUrl", "http://u:p@10.0.0.5:7500"},
      {"adminUrl", "http://10.0.0.5:7500/?x=1"},
      {"adminUrl", "not a url at all"},
      {"adminUser", "has space"},
      {"adminPassword", "has space"},
      // server-side request forgery: metadata, unspecified, multicast, broadcast, numeric forms,
      // and ranges outside the allow-list (these tests allow 127.0.0.0/8 and 10.0.0.0/8 only)
      {"adminUrl", "http://169.254.169.254/latest"},
      {"adminUrl", "http://0.0.0.0:7500"},
      {"adminUrl", "http://224.0.0.1:7500"},
      {"adminUrl", "http://255.255.255.255:7500"},
      {"adminUrl", "http://0x51024545:7500"},
      {"adminUrl", "http://1358054725:7500"},
      {"adminUrl", "http://0177.0.0.1:7500"},
      {"adminUrl", "http://[::ffff:169.254.169.254]:7500"},
      {"adminUrl", "http://192.168.1.1:7500"},
      {"adminUrl", "http://[fe80::1]:7500"}
    };
    for (String[] b : bad) {
      Map<String, Object> body = body("eu-1");
      body.put(b[0], b[1]);
      Answer a = call("POST", "/api/relays", admin(), body);
      assertThat(a.status()).as(b[0] + "=" + b[1] + " " + a.body()).isEqualTo(400);
      assertThat(a.headers().first("Content-Type")).startsWith("application/problem+json");
      assertThat(a.body()).doesNotContain("Exception").doesNotContain("at dev.spoq");
    }
    Object[][] badNumbers = {
      {"bindPort", 70000},
      {"capacity", 0},
      {"bindPort", 40500},
      {"udpPortRange", Map.of("start", 41000, "end", 40000)},
      {"udpPortRange", Map.of("start", 80, "end", 90)},
      {"udpPortRange", "x"}
    };
    for (Object[] b : badNumbers) {
      Map<String, Object> body = body("eu-1");
      body.put((String) b[0], b[1]);
      assertThat(call("POST", "/api/relays", admin(), body).status()).as(b[0] + "").isEqualTo(400);
    }
    Map<String, Object> unknown = body("eu-1");
    unknown.put("status", "UP");
    assertThat(call("POST", "/api/relays", admin(), unknown).status()).isEqualTo(400);
    assertThat(call("POST", "/api/relays", admin(), "{\"id\":").status()).isEqualTo(400);
    assertThat(call("POST", "/api/relays", admin(), "x".repeat(70_000)).status()).isEqualTo(413);
    Answer noPassword = call("POST", "/api/relays", admin(), withoutPassword());
    assertThat(noPassword.status()).isEqualTo(400);
    assertThat(jdbc.sql("SELECT count(*) FROM relay").query(Integer.class).single()).isZero();

    assertThat(call("GET", "/api/relays/nope", admin(), null).status()).isEqualTo(404);
    assertThat(call("GET", "/api/relays/..%2F..", admin(), null).status()).isIn(400, 404);
    assertThat(call("PUT", "/api/relays/nope", admin(), body("nope")).status()).isEqualTo(404);
    assertThat(call("PUT", "/api/relays/eu-2", admin(), body("eu-1")).status()).isEqualTo(400);
    assertThat(call("PATCH", "/api/relays/eu-1", admin(), body("eu-1")).status()).isEqualTo(405);
  }

  private Map<String, Object> withoutPassword() {
    Map<String, Object> b = body("eu-1");
    b.remove("adminPassword");
    return b;
  }

  @Test
  void portRangeCannotShrinkUnderAssignedPorts() throws Exception {
    relay("us-1", "us", 49000, 49099, 100);
    health.pollAll();
    for (int i = 0; i < 3; i++) {
      assignments.place(UUID.randomUUID());
    }
    Map<String, Object> change = body("us-1");
    change.put("region", "us");
    change.put("udpPortRange", Map.of("start", 49001, "end", 49099));
    change.put("adminUrl", stubs.get(0).url());
    Answer answer = call("PUT", "/api/relays/us-1", admin(), change);
    assertThat(answer.status()).isEqualTo(409);
    assertThat(answer.json().get("detail").asString()).contains("drain");
  }

  @Test
  void scalingRecommendsARelayPastTheThreshold() throws Exception {
    relay("us-1", "us", 49000, 49009, 10);
    relay("eu-1", "eu", 49000, 49099, 100);
    relay("asia-1", "asia", 49000, 49099, 100); // never polled: no usable capacity
    health.pollAll();
    stubs.get(2).switchOff();
    health.pollAll();
    health.pollAll();
    for (int i = 0; i < 8; i++) {
      assignments.place(UUID.randomUUID()); // default region us
    }
    JsonNode regions = call("GET", "/api/relay/scaling", admin(), null).json().get("regions");
    Map<String, JsonNode> byRegion = new HashMap<>();
    regions.forEach(r -> byRegion.put(r.get("region").asString(), r));
    assertThat(byRegion.get("us").get("utilisation").asDouble()).isEqualTo(0.8);
    assertThat(byRegion.get("us").get("recommendation").asString()).isEqualTo("ADD_RELAY");
    assertThat(byRegion.get("us").get("threshold").asDouble()).isEqualTo(0.8);
    assertThat(byRegion.get("eu").get("utilisation").asDouble()).isZero();
    assertThat(byRegion.get("eu").get("recommendation").asString()).isEqualTo("OK");
    assertThat(byRegion.get("asia").get("capacity").asInt()).isZero();
    assertThat(byRegion.get("asia").get("recommendation").asString()).isEqualTo("ADD_RELAY");
    String prometheus = call("GET", "/actuator/prometheus", admin(), null).body();
    assertThat(prometheus)
        .contains("spoq_relay_region_utilisation{region=\"us\"} 0.8")
        .contains("spoq_relay_region_add_relay_recommended{region=\"us\"} 1.0")
        .contains("spoq_relay_relay_up{region=\"asia\",relay=\"asia-1\"} 0.0");
  }
}
