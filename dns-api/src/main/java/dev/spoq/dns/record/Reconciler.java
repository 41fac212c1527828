package dev.spoq.dns.record;

import dev.spoq.dns.address.IpLiterals;
import dev.spoq.dns.audit.DnsAudit;
import dev.spoq.dns.config.DnsProperties;
import dev.spoq.dns.provider.ConfiguredProvider;
import dev.spoq.dns.provider.DnsProvider;
import dev.spoq.dns.provider.ProviderException;
import dev.spoq.dns.provider.ProviderGate;
import dev.spoq.dns.provider.ProviderRecord;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The background half of "nothing is lost": retries pending records when they are due (backoff,
 * provider pauses honoured), and periodically compares applied records with what the provider
 * serves, putting back any record changed by hand.
 */
public class Reconciler implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  private static final Duration LEASE = Duration.ofSeconds(60);

  private final ConfiguredProvider provider;
  private final DnsRecordService records;
  private final RecordApplier applier;
  private final ProviderGate gate;
  private final DnsAudit audit;
  private final DnsProperties.Reconcile settings;
  private final Clock clock;
  private final LockingTaskExecutor locks;
  private final MeterRegistry meters;
  private volatile ScheduledExecutorService scheduler;

  Reconciler(
      ConfiguredProvider provider,
      DnsRecordService records,
      RecordApplier applier,
      ProviderGate gate,
      DnsAudit audit,
      DnsProperties.Reconcile settings,
      Clock clock,
      LockingTaskExecutor locks,
      MeterRegistry meters) {
    this.provider = provider;
    this.records = records;
    this.applier = applier;
    this.gate = gate;
    this.audit = audit;
    this.settings = settings;
    this.clock = clock;
    this.locks = locks;
    this.meters = meters;
  }

  /** Applies the pending records that are due; returns how many got applied. */
  public synchronized int retryDue() {
    if (provider.get().isEmpty() || !gate.isOpen()) {
      return 0;
    }
    List<DnsRecord> due = records.claimDue(clock.instant().plus(LEASE), settings.batchSize());
    int applied = 0;
    for (DnsRecord record : due) {
      if (applier.apply(record) == RecordApplier.Result.APPLIED
          && record.state() != DnsRecord.State.REMOVING) {
        applied++;
        log.info(
            "DNS record {} {} -> {} applied after {} failed attempt(s)",
            record.fqdn(),
            record.type(),
            record.desiredIp(),
            record.attempts());
        audit.record(
            RecordApplier.ACTOR,
            "dns.record.applied",
            record.fqdn(),
            null,
            DnsAudit.SUCCESS,
            Map.of(
                "type", record.type().name(),
                "ip", record.desiredIp(),
                "provider", provider.name(),
                "attempts", record.attempts()));
      }
    }
    return applied;
  }

  /**
   * Compares the least recently verified applied records with the provider and repairs differences;
   * returns how many were repaired.
   */
  public synchronized int repairDrift() {
    Optional<DnsProvider> p = provider.get();
    if (p.isEmpty()) {
      return 0;
    }
    int repaired = 0;
    for (DnsRecord record : records.leastRecentlyVerified(settings.driftBatchSize())) {
      if (!gate.isOpen()) {
        break;
      }
      List<ProviderRecord> served;
      try {
        served = p.get().find(record.fqdn(), record.type());
      } catch (ProviderException e) {
        if (e.transientFailure()) {
          gate.pause(e.retryAfter().orElse(settings.initialBackoff()));
        }
        log.warn("drift check of {} skipped: {}", record.fqdn(), e.getMessage());
        break;
      }
      if (matches(record, served)) {
        records.markVerified(record);
        continue;
      }
      String found =
          served.isEmpty()
              ? "(missing)"
              : String.join(",", served.stream().map(ProviderRecord::content).toList());
      log.warn(
          "DNS record {} {} drifted at {}: serves {} instead of {}; putting it back",
          record.fqdn(),
          record.type(),
          p.get().name(),
          found,
          record.desiredIp());
      if (applier.apply(record) == RecordApplier.Result.APPLIED) {
        repaired++;
        audit.record(
            RecordApplier.ACTOR,
            "dns.record.drift-repaired",
            record.fqdn(),
            null,
            DnsAudit.SUCCESS,
            Map.of(
                "type", record.type().name(),
                "ip", record.desiredIp(),
                "found", found,
                "provider", p.get().name()));
      }
    }
    return repaired;
  }

  private static boolean matches(DnsRecord record, List<ProviderRecord> served) {
    if (served.size() != 1) {
      return false;
    }
    ProviderRecord r = served.get(0);
    String content = IpLiterals.parse(r.content()).map(IpLiterals::canonical).orElse(r.content());
    return content.equals(record.desiredIp())
        && !r.proxied()
        && r.ttl() == ProviderRecord.JETSON_TTL;
  }

  @Override
  public void start() {
    if (provider.get().isEmpty()) {
      return;
    }
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dns-reconciler");
              t.setDaemon(true);
              return t;
            });
    long poll = settings.pollInterval().toMillis();
    long drift = settings.driftInterval().toMillis();
    s.scheduleWithFixedDelay(
        () -> once("retry", settings.pollInterval(), LEASE, () -> retryDue()),
        poll,
        poll,
        TimeUnit.MILLISECONDS);
    s.scheduleWithFixedDelay(
        () ->
            once(
                "drift-repair",
                settings.driftInterval(),
                max(settings.driftInterval(), LEASE),
                () -> repairDrift()),
        drift,
        drift,
        TimeUnit.MILLISECONDS);
    scheduler = s;
  }

  /**
   * Runs the job on one replica per period: the ShedLock row {@code dns-<job>} is held for at least
   * 90 % of the period (so the other replicas skip this period) and at most {@code atMost} (if the
   * holder dies).
   */
  private void once(String job, Duration period, Duration atMost, Runnable task) {
    try {
      locks.executeWithLock(
          (Runnable)
              () -> {
                meters.counter("dns.reconciler.runs", "job", job).increment();
                task.run();
              },
          new LockConfiguration(
              clock.instant(), "dns-" + job, atMost, period.multipliedBy(9).dividedBy(10)));
    } catch (RuntimeException e) {
      log.error("reconciler {} failed; will run again", job, e);
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  @Override
  public void stop() {
    ScheduledExecutorService s = scheduler;
    scheduler = null;
    if (s != null) {
      s.shutdownNow();
      try {
        s.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isRunning() {
    return scheduler != null;
  }
}
