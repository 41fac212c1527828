package dev.spoq.jump.config;

import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.web.RequestSizeLimitFilter;
import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.auth.RegistryLookups;
import dev.spoq.jump.limits.ConnectionGuard;
import dev.spoq.jump.limits.SharedLimits;
import dev.spoq.jump.session.RouterMetrics;
import dev.spoq.jump.ssh.JumpSshServer;
import dev.spoq.jump.ssh.SshServerHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;

@Configuration(proxyBeanMethods = false)
@EnableScheduling
@EnableSchedulerLock(defaultLockAtMostFor = "PT5M")
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
  ConnectionGuard connectionGuard(JumpProperties props, RouterMetrics metrics, AuditTrail audit) {
    return new ConnectionGuard(props.limits(), metrics, audit, Clock.systemUTC());
  }

  @Bean
  SharedLimits sharedLimits(
      JdbcClient jdbc, ConnectionGuard guard, JumpProperties props, MeterRegistry meters) {
    return new SharedLimits(jdbc, guard, props.limits(), Clock.systemUTC(), meters);
  }

  @Bean
  LockProvider lockProvider(DataSource dataSource) {
    return new JdbcTemplateLockProvider(
        JdbcTemplateLockProvider.Configuration.builder()
            .withJdbcTemplate(new JdbcTemplate(dataSource))
            .usingDbTime()
            .build());
  }

  @Bean
  JumpSshServer jumpSshServer(
      JumpProperties props,
      RegistryLookups lookups,
      AuditTrail audit,
      RouterMetrics metrics,
      ConnectionGuard guard) {
    return new JumpSshServer(props, lookups, audit, metrics, guard);
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
