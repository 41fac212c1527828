package dev.spoq.relayserver.frpgateway;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** Starts the frp plugin gateway when {@code spoq.frp-gateway.enabled=true}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(FrpGatewayProperties.class)
@ConditionalOnProperty(name = "spoq.frp-gateway.enabled", havingValue = "true")
class FrpGatewayConfiguration {

  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService frpGatewayPurger(StaleWindow memory) {
    ScheduledExecutorService purger =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "frp-gateway-purge");
              t.setDaemon(true);
              return t;
            });
    purger.scheduleAtFixedRate(memory::purge, 1, 1, TimeUnit.MINUTES);
    return purger;
  }

  @Bean
  StaleWindow frpGatewayMemory(FrpGatewayProperties properties) {
    if (properties.staleWindow().isNegative()
        || properties.staleWindow().compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalStateException("spoq.frp-gateway.stale-window must be 0..1h");
    }
    return new StaleWindow(properties.staleWindow(), properties.maxSessions(), Clock.systemUTC());
  }

  @Bean(destroyMethod = "close")
  FrpGatewayServer frpGatewayServer(
      FrpGatewayProperties properties, StaleWindow memory, MeterRegistry meters)
      throws IOException {
    JsonMapper json = JsonMapper.builder().build();
    FrpGateway gateway =
        new FrpGateway(new CoordinatorPluginClient(properties), memory, json, meters);
    return new FrpGatewayServer(properties, gateway, json);
  }
}
