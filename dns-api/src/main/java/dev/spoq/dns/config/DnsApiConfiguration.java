package dev.spoq.dns.config;

import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.registry.RevocationFeed;
import dev.spoq.common.web.RequestSizeLimitFilter;
import dev.spoq.dns.address.ClientAddressResolver;
import dev.spoq.dns.address.PublicAddressPolicy;
import dev.spoq.dns.audit.DenialAudit;
import dev.spoq.dns.audit.DnsAudit;
import dev.spoq.dns.provider.ConfiguredProvider;
import dev.spoq.dns.provider.ProviderGate;
import java.net.URI;
import java.time.Clock;
import javax.sql.DataSource;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;

/** The service's wiring: registry access, provider choice, address rules, body cap. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({DnsProperties.class, RegistryProperties.class})
public class DnsApiConfiguration {

  private static final Logger log = LoggerFactory.getLogger(DnsApiConfiguration.class);

  /** Request bodies of this API are tiny; anything over this is refused with 413. */
  public static final long MAX_BODY_BYTES = 16 * 1024;

  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** Request fields are strings: a number or boolean where text is expected is malformed. */
  @Bean
  JsonMapperBuilderCustomizer strictTextFields() {
    return builder ->
        builder.withCoercionConfig(
            LogicalType.Textual,
            c ->
                c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
  }

  @Bean
  RequestSizeLimitFilter requestSizeLimitFilter() {
    return new RequestSizeLimitFilter(MAX_BODY_BYTES);
  }

  @Bean
  RegistryClient registryClient(RegistryProperties registry) {
    if (registry.serviceToken() == null || registry.serviceToken().isBlank()) {
      log.warn(
          "spoq.registry.service-token is not set: the registry will refuse token introspection"
              + " and every DNS request will be answered 503");
    }
    return new RegistryClient(
        URI.create(registry.baseUrl()), registry.serviceToken(), registry.timeout());
  }

  @Bean
  CachingRegistryAuthenticator registryAuthenticator(
      RegistryClient registry, DnsProperties properties, Clock clock) {
    return new CachingRegistryAuthenticator(
        registry, properties.revocation().fallbackCacheTtl(), clock);
  }

  /** Started and stopped with the service by the record package's revocation listener. */
  @Bean
  RevocationFeed revocationFeed(
      RegistryClient registry,
      CachingRegistryAuthenticator authenticator,
      DnsProperties properties) {
    DnsProperties.Revocation r = properties.revocation();
    if (r.fallbackCacheTtl().toSeconds() > 50) {
      throw new IllegalStateException(
          "spoq.dns.revocation.fallback-cache-ttl must stay under 50 s: it is how long a revoked"
              + " token keeps working while the revocation feed is down");
    }
    return new RevocationFeed(
        registry,
        authenticator,
        new RevocationFeed.Settings(
            r.pollWait(), r.healthyCacheTtl(), r.fallbackCacheTtl(), r.retry()));
  }

  @Bean
  DnsAudit dnsAudit(RegistryClient registry) {
    return new DnsAudit(registry);
  }

  /** Scheduled jobs take a ShedLock row first, so each runs once across replicas. */
  @Bean
  LockingTaskExecutor lockingTaskExecutor(DataSource dataSource) {
    return new DefaultLockingTaskExecutor(
        new JdbcTemplateLockProvider(
            JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(dataSource))
                .withTableName("shedlock")
                .usingDbTime()
                .build()));
  }

  @Bean
  DenialAudit denialAudit(DnsAudit audit, DnsProperties properties, Clock clock) {
    return new DenialAudit(audit, properties.denialAuditWindow(), clock);
  }

  @Bean
  PublicAddressPolicy publicAddressPolicy(DnsProperties properties) {
    PublicAddressPolicy policy = new PublicAddressPolicy(properties.allowedExtraRanges());
    if (!policy.extraAllowed().isEmpty()) {
      log.warn(
          "spoq.dns.allowed-extra-ranges accepts non-public addresses {}: use this in test"
              + " environments only",
          policy.extraAllowed());
    }
    return policy;
  }

  @Bean
  ClientAddressResolver clientAddressResolver(DnsProperties properties) {
    return new ClientAddressResolver(properties.trustedProxies());
  }

  @Bean
  ProviderGate providerGate(Clock clock) {
    return new ProviderGate(clock);
  }

  @Bean
  ConfiguredProvider configuredProvider(
      DnsProperties properties, @Value("${spoq.domain:spoq.dev}") String domain, Clock clock) {
    return ProviderFactory.create(properties, domain, clock);
  }
}
