package dev.spoq.dns.record;

import dev.spoq.dns.audit.DnsAudit;
import dev.spoq.dns.provider.ConfiguredProvider;
import dev.spoq.dns.provider.DnsProvider;
import dev.spoq.dns.provider.ProviderException;
import dev.spoq.dns.provider.ProviderGate;
import dev.spoq.dns.provider.ProviderRecord;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a stored record to the provider, outside any transaction, and writes the outcome back:
 * applied, or pending with the next attempt time (exponential backoff, at least the provider's
 * {@code retry-after}).
 */
public class RecordApplier {

  private static final Logger log = LoggerFactory.getLogger(RecordApplier.class);
  static final String ACTOR = "service:dns-api";

  /** What an attempt achieved. */
  public enum Result {
    APPLIED,
    PENDING
  }

  private final ConfiguredProvider provider;
  private final DnsRecordService records;
  private final ProviderGate gate;
  private final RetryPolicy retry;
  private final DnsAudit audit;
  private final MeterRegistry meters;
  private final Clock clock;

  RecordApplier(
      ConfiguredProvider provider,
      DnsRecordService records,
      ProviderGate gate,
      RetryPolicy retry,
      DnsAudit audit,
      MeterRegistry meters,
      Clock clock) {
    this.provider = provider;
    this.records = records;
    this.gate = gate;
    this.retry = retry;
    this.audit = audit;
    this.meters = meters;
    this.clock = clock;
  }

  public boolean providerConfigured() {
    return provider.get().isPresent();
  }

  /**
   * Tries once to make the provider serve the record's desired address, or, for a record being
   * removed, to remove it.
   */
  public Result apply(DnsRecord record) {
    Optional<DnsProvider> p = provider.get();
    if (record.state() == DnsRecord.State.REMOVING) {
      return remove(p, record);
    }
    if (p.isEmpty()) {
      return Result.PENDING;
    }
    if (!gate.isOpen()) {
      records.postpone(record, gate.openAt());
      return Result.PENDING;
    }
    DnsProvider target = p.get();
    boolean written =
        write(
            target,
            record,
            () ->
                target.upsert(
                    ProviderRecord.jetson(record.fqdn(), record.type(), record.desiredIp())));
    if (!written) {
      return Result.PENDING;
    }
    if (records.markApplied(record)) {
      return Result.APPLIED;
    }
    // A newer desired value arrived while we wrote this one: it is pending and due now.
    return Result.PENDING;
  }

  private Result remove(Optional<DnsProvider> p, DnsRecord record) {
    if (p.isPresent()) {
      if (!gate.isOpen()) {
        records.postpone(record, gate.openAt());
        return Result.PENDING;
      }
      DnsProvider target = p.get();
      if (!write(target, record, () -> target.delete(record.fqdn(), record.type()))) {
        return Result.PENDING;
      }
    }
    if (!records.finishRemoval(record)) {
      return Result.PENDING;
    }
    log.info("DNS record {} {} removed (Jetson revoked)", record.fqdn(), record.type());
    audit.record(
        ACTOR,
        "dns.record.removed",
        record.fqdn(),
        null,
        DnsAudit.SUCCESS,
        Map.of(
            "type", record.type().name(),
            "ip", record.desiredIp(),
            "reason", "jetson revoked",
            "jetsonId", String.valueOf(record.jetsonId()),
            "provider", provider.name()));
    return Result.APPLIED;
  }

  /** One provider call; counted by outcome. On failure the record is rescheduled. */
  private boolean write(DnsProvider target, DnsRecord record, ProviderCall call) {
    try {
      call.run();
    } catch (ProviderException e) {
      countWrite(target, e.transientFailure() ? "transient" : "permanent");
      failed(record, e);
      return false;
    }
    countWrite(target, "ok");
    return true;
  }

  private void countWrite(DnsProvider target, String outcome) {
    meters
        .counter("dns.provider.writes", "provider", target.name(), "outcome", outcome)
        .increment();
  }

  @FunctionalInterface
  private interface ProviderCall {
    void run();
  }

  private void failed(DnsRecord record, ProviderException e) {
    int failedAttempts = record.attempts() + 1;
    Duration wait = retry.delay(failedAttempts, e.retryAfter());
    if (e.transientFailure()) {
      gate.pause(e.retryAfter().orElse(retry.initial()));
    }
    records.markFailed(record, e.getMessage(), clock.instant().plus(wait));
    log.warn(
        "DNS record {} {} -> {} not applied (attempt {}), next try in {} s: {}",
        record.fqdn(),
        record.type(),
        record.desiredIp(),
        failedAttempts,
        wait.toSeconds(),
        e.getMessage());
    if (failedAttempts == 1) {
      audit.record(
          ACTOR,
          "dns.record.apply-failed",
          record.fqdn(),
          null,
          DnsAudit.FAILURE,
          Map.of(
              "type", record.type().name(),
              "ip", record.desiredIp(),
              "provider", provider.name(),
              "error", e.getMessage()));
    }
  }
}
