package dev.spoq.relay.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.relay.support.RelayServiceTest;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Usage from frps {@code /metrics}. The metrics come from a stand-in of frps's admin web server
 * ({@link FrpsAdminStub}, frps is not installable here) serving frps's exposition text; everything
 * else (service, database, registry) is real.
 */
class UsageTest extends RelayServiceTest {

  @Autowired UsageScraper scraper;

  private static String metrics(UUID a, long aIn, long aOut, UUID b, long bIn, long bOut) {
    return FrpsMetricsFixture.render(
        Map.of(
            "JETSON_A", "spoq-" + a,
            "JETSON_B", "spoq-" + b,
            "A_IN", exp(aIn),
            "A_OUT", exp(aOut),
            "B_IN", Long.toString(bIn),
            "B_OUT", Long.toString(bOut)));
  }

  /** Go's exponent form for big values, as the Prometheus Go client prints them. */
  private static String exp(long v) {
    return v >= 1_000_000 ? String.format("%.7e", (double) v) : Long.toString(v);
  }

  @Test
  void perJetsonRelayAndRegionTotalsSurviveCounterResets() throws Exception {
    FrpsAdminStub eu = relay("eu-1", "eu", 46000, 46099, 100);
    FrpsAdminStub us = relay("us-1", "us", 46000, 46099, 100);
    health.pollAll();
    RunningRegistry.EnrolledJetson alice = jetson("alice");
    UUID a = alice.jetsonId();
    UUID b = UUID.randomUUID();

    eu.setMetrics(metrics(a, 10_000_000, 2_000_000, b, 500, 100));
    us.setMetrics(metrics(UUID.randomUUID(), 0, 0, UUID.randomUUID(), 7, 9));
    scraper.scrapeAll();
    assertThat(eu.metricsCalls()).isEqualTo(1);

    eu.setMetrics(metrics(a, 12_000_000, 2_500_000, b, 800, 100));
    scraper.scrapeAll();
    // frps restarted: counters start again from zero
    eu.setMetrics(metrics(a, 1_000, 300, b, 50, 10));
    scraper.scrapeAll();

    JsonNode usage = call("GET", "/api/usage/jetsons/" + a, admin(), null).json();
    assertThat(usage.get("bytesIn").asLong()).isEqualTo(12_000_000 + 1_000);
    assertThat(usage.get("bytesOut").asLong()).isEqualTo(2_500_000 + 300);
    assertThat(usage.get("relays").get(0).get("relayId").asString()).isEqualTo("eu-1");

    // the owner's account key and the Jetson's own device token may read it too
    assertThat(call("GET", "/api/usage/jetsons/" + a, accountOf(alice).apiKey(), null).status())
        .isEqualTo(200);
    assertThat(call("GET", "/api/usage/jetsons/" + a, alice.deviceToken(), null).status())
        .isEqualTo(200);
    // ...but not another account's key, nor another Jetson's token
    RunningRegistry.EnrolledJetson mallory = jetson("mallory");
    assertThat(call("GET", "/api/usage/jetsons/" + a, accountOf(mallory).apiKey(), null).status())
        .isEqualTo(404);
    assertThat(call("GET", "/api/usage/jetsons/" + a, mallory.deviceToken(), null).status())
        .isEqualTo(404);
    assertThat(call("GET", "/api/usage/regions", accountOf(alice).apiKey(), null).status())
        .isEqualTo(403);
    assertThat(call("GET", "/api/usage/jetsons/not-a-uuid", admin(), null).status()).isEqualTo(400);

    JsonNode regions = call("GET", "/api/usage/regions", admin(), null).json().get("items");
    JsonNode euTotal = find(regions, "eu");
    assertThat(euTotal.get("bytesIn").asLong()).isEqualTo(12_000_000 + 1_000 + 800 + 50);
    assertThat(euTotal.get("bytesOut").asLong()).isEqualTo(2_500_000 + 300 + 100 + 10);
    assertThat(euTotal.get("jetsons").asInt()).isEqualTo(2);
    JsonNode relays = call("GET", "/api/usage/relays", admin(), null).json().get("items");
    assertThat(find(relays, "us-1").get("bytesIn").asLong()).isEqualTo(7);
    assertThat(find(relays, "us-1").get("bytesOut").asLong()).isEqualTo(9);
    // relay-level facts from the same scrape
    JsonNode relay = call("GET", "/api/relays/eu-1", admin(), null).json();
    assertThat(relay.get("clientCount").asLong()).isEqualTo(3);
    assertThat(relay.get("proxyCount").asLong()).isEqualTo(2);

    String prometheus = call("GET", "/actuator/prometheus", admin(), null).body();
    String jetsonLine = "spoq_relay_jetson_traffic_bytes{direction=\"in\",jetson=\"" + a + "\"} ";
    assertThat(prometheus).contains(jetsonLine);
    String value = prometheus.substring(prometheus.indexOf(jetsonLine) + jetsonLine.length());
    assertThat(Double.parseDouble(value.substring(0, value.indexOf('\n')))).isEqualTo(12_001_000d);
    assertThat(prometheus)
        .contains("spoq_relay_region_traffic_bytes{direction=\"out\",region=\"eu\"}")
        .contains("spoq_relay_relay_traffic_bytes{direction=\"in\",region=\"eu\",relay=\"eu-1\"}")
        .contains("spoq_relay_region_utilisation{region=\"eu\"}");
  }

  @Test
  void scrapeOfAnUnreachableRelayIsSkipped() throws Exception {
    FrpsAdminStub eu = relay("eu-1", "eu", 46000, 46099, 100);
    health.pollAll();
    eu.switchOff();
    scraper.scrapeAll();
    assertThat(jdbc.sql("SELECT count(*) FROM jetson_usage").query(Integer.class).single())
        .isZero();
  }

  private static JsonNode find(JsonNode items, String key) {
    for (JsonNode n : items) {
      if (n.get("key").asString().equals(key)) {
        return n;
      }
    }
    throw new AssertionError("no " + key + " in " + items);
  }
}
