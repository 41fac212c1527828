package dev.spoq.relay.config;

import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.web.RequestSizeLimitFilter;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.scheduling.annotation.EnableScheduling;

@Configuration
@EnableScheduling
@EnableConfigurationProperties(RelayProperties.class)
class RelayConfig {

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

  /** The client for frps admin APIs (health, server info, metrics). */
  @Bean
  HttpClient frpsHttpClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(3))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  @Bean
  FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(
      RelayProperties properties) {
    FilterRegistrationBean<RequestSizeLimitFilter> registration =
        new FilterRegistrationBean<>(
            new RequestSizeLimitFilter(properties.limits().maxBodyBytes()));
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }
}
