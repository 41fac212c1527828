package dev.spoq.relay.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.relay.support.RelayServiceTest;
import dev.spoq.relay.usage.FrpsMetricsFixture;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

/**
 * The schedulers themselves (the other tests drive polling by hand): with short intervals a newly
 * registered relay becomes UP and its usage appears without anyone calling the pollers. frps's
 * admin web server is the {@link FrpsAdminStub} stand-in (frps is not installable here).
 */
@DirtiesContext
@TestPropertySource(
    properties = {
      "spoq.relay.health.enabled=true",
      "spoq.relay.health.interval=300ms",
      "spoq.relay.health.initial-delay=0s",
      "spoq.relay.usage.enabled=true",
      "spoq.relay.usage.interval=300ms",
      "spoq.relay.usage.initial-delay=0s",
      "spoq.relay.health.lock-at-least-for=PT0.2S",
      "spoq.relay.usage.lock-at-least-for=PT0.2S"
    })
class ScheduledPollingTest extends RelayServiceTest {

  @Test
  void schedulersPollHealthAndScrapeUsage() throws Exception {
    FrpsAdminStub stub = relay("eu-1", "eu", 46000, 46099, 100);
    UUID jetson = UUID.randomUUID();
    stub.setMetrics(
        FrpsMetricsFixture.render(
            Map.of(
                "JETSON_A", "spoq-" + jetson,
                "JETSON_B", "spoq-" + UUID.randomUUID(),
                "A_IN", "1234",
                "A_OUT", "5678",
                "B_IN", "0",
                "B_OUT", "0")));
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        call("GET", "/api/relays/eu-1", admin(), null)
                            .json()
                            .get("status")
                            .asString())
                    .isEqualTo("UP"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        call("GET", "/api/usage/jetsons/" + jetson, admin(), null)
                            .json()
                            .get("bytesOut")
                            .asLong())
                    .isEqualTo(5678));
    stub.switchOff();
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        call("GET", "/api/relays/eu-1", admin(), null)
                            .json()
                            .get("status")
                            .asString())
                    .isEqualTo("DOWN"));
  }
}
