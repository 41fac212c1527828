package dev.spoq.relay.fleet;

import dev.spoq.relay.assignment.AssignmentService;
import dev.spoq.relay.audit.Audit;
import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.usage.UsageMetrics;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Polls every relay's frps admin API: {@code GET /healthz} and {@code GET /api/serverinfo} (basic
 * auth). After {@code failure-threshold} consecutive failures a relay is DOWN and its Jetsons are
 * moved; one good poll brings it back UP (Jetsons are not moved back: assignments are sticky).
 */
@Component
public class HealthPoller {

  private static final Logger log = LoggerFactory.getLogger(HealthPoller.class);
  private static final int PARALLEL = 8;

  private final ExecutorService pool =
      Executors.newFixedThreadPool(
          PARALLEL,
          r -> {
            Thread t = new Thread(r, "relay-health");
            t.setDaemon(true);
            return t;
          });

  private final RelayRepository relays;
  private final FrpsAdminClient frps;
  private final AssignmentService assignments;
  private final RelayProperties.Health settings;
  private final Duration reportTimeout;
  private final Audit audit;
  private final UsageMetrics metrics;
  private final Clock clock;

  HealthPoller(
      RelayRepository relays,
      FrpsAdminClient frps,
      AssignmentService assignments,
      RelayProperties properties,
      Audit audit,
      UsageMetrics metrics,
      Clock clock) {
    this.relays = relays;
    this.frps = frps;
    this.assignments = assignments;
    this.settings = properties.relay().health();
    this.reportTimeout = properties.relay().spoq().reportTimeout();
    this.audit = audit;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Scheduled(
      initialDelayString = "${spoq.relay.health.initial-delay:2s}",
      fixedDelayString = "${spoq.relay.health.interval:15s}")
  @SchedulerLock(
      name = "relay-health-poll",
      lockAtLeastFor = "${spoq.relay.health.lock-at-least-for:PT12S}",
      lockAtMostFor = "PT10M")
  public void scheduled() {
    if (settings.enabled()) {
      pollAll();
    }
  }

  /** One round over every relay, up to {@value #PARALLEL} at a time. */
  public void pollAll() {
    List<Future<?>> running = new ArrayList<>();
    for (Relay relay : relays.findAll()) {
      if (relay.isSpoq()) {
        continue; // relay-servers report to us; see checkReports()
      }
      running.add(
          pool.submit(
              () -> {
                try {
                  poll(relay);
                } catch (RuntimeException e) {
                  log.error("health poll of relay {} failed unexpectedly", relay.id(), e);
                }
              }));
    }
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException e) {
        log.error("health poll failed unexpectedly", e.getCause());
      }
    }
    metrics.refresh();
  }

  @Scheduled(
      initialDelayString = "${spoq.relay.spoq.check-interval:5s}",
      fixedDelayString = "${spoq.relay.spoq.check-interval:5s}")
  @SchedulerLock(
      name = "relay-report-check",
      lockAtLeastFor = "${spoq.relay.spoq.check-lock-at-least-for:PT4S}",
      lockAtMostFor = "PT10M")
  public void scheduledReports() {
    if (settings.enabled()) {
      checkReports();
    }
  }

  /**
   * Marks DOWN every spoq relay that has not reported for {@code spoq.relay.spoq.report-timeout}
   * (30 s) and moves its Jetsons; a relay that never reported stays UNKNOWN.
   */
  public void checkReports() {
    Instant deadline = clock.instant().minus(reportTimeout);
    for (Relay relay : relays.findAll()) {
      if (!relay.isSpoq() || relay.lastReportAt() == null) {
        continue;
      }
      if (relay.lastReportAt().isBefore(deadline)) {
        if (!Relay.DOWN.equals(relay.status())) {
          relays.markDown(relay.id());
          int moved = assignments.evacuate(relay.id());
          long silent = Duration.between(relay.lastReportAt(), clock.instant()).toSeconds();
          log.warn(
              "relay {} is DOWN: no report for {} s; moved {} Jetson(s)",
              relay.id(),
              silent,
              moved);
          audit.record(
              "service:relay-coordinator",
              "relay.down",
              "relay:" + relay.id(),
              null,
              "FAILURE",
              Map.of("silentSeconds", silent, "moved", moved, "kind", Relay.SPOQ));
        } else {
          assignments.evacuate(relay.id());
        }
      }
    }
    metrics.refresh();
  }

  @PreDestroy
  void stop() {
    pool.shutdownNow();
  }

  void poll(Relay relay) {
    try {
      frps.healthz(relay, settings.timeout());
      FrpsAdminClient.ServerInfo info = frps.serverInfo(relay, settings.timeout());
      if (!FrpsVersions.supported(info.version())) {
        throw new FrpsAdminClient.FrpsException(
            "frps version '"
                + info.version()
                + "' is not supported: Spoq relays need frp "
                + FrpsVersions.MINIMUM
                + " or newer (frps.toml uses parseNumberRange)");
      }
      if (info.bindPort() != relay.bindPort()) {
        log.warn(
            "relay {}: frps reports bindPort {} but the fleet has {}",
            relay.id(),
            info.bindPort(),
            relay.bindPort());
      }
      relays.recordHealthy(relay.id(), clock.instant(), info.version(), info.clientCounts());
      if (!relay.isUp()) {
        log.info("relay {} is UP (was {})", relay.id(), relay.status());
        audit.record(
            "service:relay-coordinator",
            "relay.up",
            "relay:" + relay.id(),
            null,
            "SUCCESS",
            Map.of("was", relay.status()));
      }
    } catch (FrpsAdminClient.FrpsException e) {
      int failures = relays.recordFailure(relay.id(), clock.instant(), e.getMessage());
      log.warn(
          "relay {} health poll failed ({} in a row): {}", relay.id(), failures, e.getMessage());
      if (failures >= settings.failureThreshold() && !Relay.DOWN.equals(relay.status())) {
        relays.markDown(relay.id());
        int moved = assignments.evacuate(relay.id());
        log.warn(
            "relay {} is DOWN after {} failures; moved {} Jetson(s)", relay.id(), failures, moved);
        audit.record(
            "service:relay-coordinator",
            "relay.down",
            "relay:" + relay.id(),
            null,
            "FAILURE",
            Map.of("failures", failures, "moved", moved, "error", e.getMessage()));
      } else if (Relay.DOWN.equals(relay.status())) {
        // Still down: move anyone left behind earlier for lack of room elsewhere.
        assignments.evacuate(relay.id());
      }
    }
  }
}
