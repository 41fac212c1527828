package dev.spoq.relayserver.config;

import dev.spoq.relayserver.datapath.Relay;
import dev.spoq.relayserver.jetsons.CoordinatorClient;
import dev.spoq.relayserver.jetsons.JetsonFileWatcher;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the datapath to its Jetson set source: the coordinator, or a static file. Off with {@code
 * spoq.relay.datapath.enabled=false}: a host that runs only frps and relay-server's frp plugin
 * gateway.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RelayProperties.class)
@ConditionalOnProperty(
    name = "spoq.relay.datapath.enabled",
    havingValue = "true",
    matchIfMissing = true)
class RelayConfiguration {

  @Bean(initMethod = "start", destroyMethod = "close")
  Relay relay(RelayProperties properties, MeterRegistry meters) {
    boolean coordinator = properties.coordinator().configured();
    boolean file = properties.jetsonsFile() != null && !properties.jetsonsFile().isBlank();
    if (coordinator == file) {
      throw new IllegalStateException(
          "set exactly one Jetson set source: spoq.relay.coordinator.url"
              + " (with relay-id and token) or spoq.relay.jetsons-file");
    }
    if (coordinator) {
      RelayProperties.Coordinator c = properties.coordinator();
      if (c.relayId() == null
          || c.relayId().isBlank()
          || c.token() == null
          || c.token().isBlank()) {
        throw new IllegalStateException(
            "spoq.relay.coordinator.relay-id and spoq.relay.coordinator.token are required");
      }
      if (c.longPollWait().isNegative() || c.longPollWait().compareTo(Duration.ofSeconds(30)) > 0) {
        throw new IllegalStateException("spoq.relay.coordinator.long-poll-wait must be 0..30s");
      }
      if (c.reportInterval().compareTo(Duration.ofSeconds(10)) > 0
          || c.reportInterval().compareTo(Duration.ofMillis(100)) < 0) {
        throw new IllegalStateException("spoq.relay.coordinator.report-interval must be 0.1..10s");
      }
    }
    return new Relay(properties, meters);
  }

  @Bean(initMethod = "start", destroyMethod = "close")
  Object jetsonSource(RelayProperties properties, Relay relay, MeterRegistry meters) {
    if (properties.coordinator().configured()) {
      return new CoordinatorClient(properties.coordinator(), relay, meters);
    }
    return new JetsonFileWatcher(Path.of(properties.jetsonsFile()), relay);
  }

  /** UP once the ports are bound and a Jetson set is in use. */
  @Bean
  HealthIndicator relayHealthIndicator(Relay relay) {
    return () -> {
      if (!relay.running()) {
        return Health.down().withDetail("reason", "ports not bound").build();
      }
      if (relay.version() == null) {
        return Health.outOfService().withDetail("reason", "no Jetson set yet").build();
      }
      return Health.up()
          .withDetail("jetsonSetVersion", relay.version())
          .withDetail("sessions", relay.liveSessions())
          .build();
    };
  }
}
