package dev.spoq.dns.record;

import dev.spoq.dns.audit.DnsAudit;
import dev.spoq.dns.config.DnsProperties;
import dev.spoq.dns.provider.ConfiguredProvider;
import dev.spoq.dns.provider.ProviderGate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class RecordConfiguration {

  @Bean
  RetryPolicy retryPolicy(DnsProperties properties) {
    return new RetryPolicy(
        properties.reconcile().initialBackoff(), properties.reconcile().maxBackoff());
  }

  @Bean
  RecordApplier recordApplier(
      ConfiguredProvider provider,
      DnsRecordService records,
      ProviderGate gate,
      RetryPolicy retry,
      DnsAudit audit,
      MeterRegistry meters,
      Clock clock) {
    Gauge.builder("dns.records.pending", records, DnsRecordService::countPending)
        .description("records stored but not yet applied at the provider")
        .register(meters);
    return new RecordApplier(provider, records, gate, retry, audit, meters, clock);
  }

  @Bean
  Reconciler reconciler(
      ConfiguredProvider provider,
      DnsRecordService records,
      RecordApplier applier,
      ProviderGate gate,
      DnsAudit audit,
      DnsProperties properties,
      Clock clock,
      LockingTaskExecutor locks,
      MeterRegistry meters) {
    return new Reconciler(
        provider, records, applier, gate, audit, properties.reconcile(), clock, locks, meters);
  }
}
