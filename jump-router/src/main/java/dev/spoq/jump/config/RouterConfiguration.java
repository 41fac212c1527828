package dev.spoq.jump.config;

import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.web.RequestSizeLimitFilter;
import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.auth.RegistryLookups;
import dev.spoq.jump.session.RouterMetrics;
import dev.spoq.jump.ssh.JumpSshServer;
import dev.spoq.jump.ssh.SshServerHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({JumpProperties.class, RegistryProperties.class})
class RouterConfiguration {

  private static final Logger log = LoggerFactory.getLogger(RouterConfiguration.class);

  @Bean
  RegistryClient registryClient(RegistryProperties registry) {
    if (registry.serviceToken() == null || registry.serviceToken().isBlank()) {
      log.warn(
          "spoq.registry.service-token is not set: the registry will refuse the router,"
              + " so every login fails (closed) until it is configured");
    }
    return new RegistryClient(
        registry.baseUrl(), registry.serviceToken(), registry.requestTimeout());
  }

  @Bean
  RouterMetrics routerMetrics(MeterRegistry meters) {
    return new RouterMetrics(meters);
  }

  @Bean(destroyMethod = "close")
  AuditTrail auditTrail(RegistryClient registry, JumpProperties props, MeterRegistry meters) {
    return new AuditTrail(registry, props.audit().queueCapacity(), meters);
  }

  @Bean
  RegistryLookups registryLookups(RegistryClient registry, JumpProperties props) {
    return new RegistryLookups(
        registry, props.cache().keyTtl(), props.cache().routeTtl(), Clock.systemUTC());
  }

  @Bean
  JumpSshServer jumpSshServer(
      JumpProperties props, RegistryLookups lookups, AuditTrail audit, RouterMetrics metrics) {
    return new JumpSshServer(props, lookups, audit, metrics);
  }

  @Bean
  SshServerHealthIndicator sshServerHealthIndicator(JumpSshServer server) {
    return new SshServerHealthIndicator(server);
  }

  @Bean
  RequestSizeLimitFilter requestSizeLimitFilter() {
    return new RequestSizeLimitFilter(64 * 1024);
  }
}
