package dev.spoq.relay.config;

import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.registry.RevocationFeed;
import dev.spoq.common.web.RequestSizeLimitFilter;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.LockProvider;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import net.javacrumbs.shedlock.spring.annotation.EnableSchedulerLock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Beans of the service. Scheduled jobs (health poll, report check, usage scrape, reaper, event
 * pruner) run once per period across all replicas: each takes a ShedLock row (table {@code
 * shedlock}, database time) and keeps it for at least most of its period, so a second replica's
 * trigger in the same period finds it taken and skips.
 */
@Configuration
@EnableScheduling
@EnableSchedulerLock(defaultLockAtMostFor = "PT10M")
@EnableConfigurationProperties(RelayProperties.class)
class RelayConfig {

  @Bean
  LockProvider lockProvider(DataSource dataSource) {
    return new JdbcTemplateLockProvider(
        JdbcTemplateLockProvider.Configuration.builder()
            .withJdbcTemplate(new JdbcTemplate(dataSource))
            .withTableName("shedlock")
            .usingDbTime()
            .build());
  }

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  RelaySecrets relaySecrets(RelayProperties properties) {
    return new RelaySecrets(properties.relay());
  }

  @Bean
  RegistryClient registryClient(RelayProperties properties) {
    RelayProperties.Registry registry = properties.registry();
    return new RegistryClient(
        URI.create(registry.baseUrl()), registry.serviceToken(), registry.timeout());
  }

  @Bean
  CachingRegistryAuthenticator registryAuthenticator(
      RegistryClient registry, RelayProperties properties, Clock clock) {
    return new CachingRegistryAuthenticator(registry, properties.registry().authCacheTtl(), clock);
  }

  /** The registry's revocation feed (contract C4); RevocationFollower starts it when ready. */
  @Bean(destroyMethod = "close")
  RevocationFeed revocationFeed(
      RegistryClient registry, CachingRegistryAuthenticator authenticator) {
    return new RevocationFeed(registry, authenticator, RevocationFeed.Settings.defaults());
  }

  /** The client for frps admin APIs (health, server info, metrics). */
  @Bean
  HttpClient frpsHttpClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(3))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /** Body cap of every endpoint but the relay-server API (reports list every session). */
  @Bean
  FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(
      RelayProperties properties) {
    FilterRegistrationBean<RequestSizeLimitFilter> registration =
        new FilterRegistrationBean<>(
            new RequestSizeLimitFilter(properties.limits().maxBodyBytes()) {
              @Override
              protected boolean shouldNotFilter(jakarta.servlet.http.HttpServletRequest request) {
                return request.getRequestURI().startsWith(RELAY_SERVER_API);
              }
            });
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  /** The relay-server API's own, larger cap ({@code spoq.relay.spoq.max-report-bytes}). */
  @Bean
  FilterRegistrationBean<RequestSizeLimitFilter> relayServerSizeLimitFilter(
      RelayProperties properties) {
    FilterRegistrationBean<RequestSizeLimitFilter> registration =
        new FilterRegistrationBean<>(
            new RequestSizeLimitFilter(properties.relay().spoq().maxReportBytes()));
    registration.addUrlPatterns(RELAY_SERVER_API + "*");
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  static final String RELAY_SERVER_API = "/internal/v1/relay-servers/";
}
