package dev.spoq.relay.usage;

import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.fleet.FrpsAdminClient;
import dev.spoq.relay.fleet.Relay;
import dev.spoq.relay.fleet.RelayRepository;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Scrapes every relay's frps {@code /metrics} on an interval and records per-Jetson usage. */
@Component
public class UsageScraper {

  private static final Logger log = LoggerFactory.getLogger(UsageScraper.class);

  private final RelayRepository relays;
  private final FrpsAdminClient frps;
  private final UsageRecorder recorder;
  private final UsageMetrics metrics;
  private final RelayProperties.Usage settings;

  UsageScraper(
      RelayRepository relays,
      FrpsAdminClient frps,
      UsageRecorder recorder,
      UsageMetrics metrics,
      RelayProperties properties) {
    this.relays = relays;
    this.frps = frps;
    this.recorder = recorder;
    this.metrics = metrics;
    this.settings = properties.relay().usage();
  }

  @Scheduled(
      initialDelayString = "${spoq.relay.usage.initial-delay:10s}",
      fixedDelayString = "${spoq.relay.usage.interval:60s}")
  @SchedulerLock(
      name = "relay-usage-scrape",
      lockAtLeastFor = "${spoq.relay.usage.lock-at-least-for:PT50S}",
      lockAtMostFor = "PT10M")
  public void scheduled() {
    if (settings.enabled()) {
      scrapeAll();
    }
  }

  /** One round over every relay that is not known to be down. */
  public void scrapeAll() {
    for (Relay relay : relays.findAll()) {
      if (relay.isSpoq() || Relay.DOWN.equals(relay.status())) {
        continue;
      }
      try {
        String text = frps.metrics(relay, settings.timeout());
        PrometheusText.Result parsed = PrometheusText.parse(text);
        UsageRecorder.Outcome outcome = recorder.record(relay.id(), parsed);
        if (parsed.malformedLines() > 0) {
          log.warn(
              "relay {}: {} unreadable line(s) in /metrics", relay.id(), parsed.malformedLines());
        }
        log.debug("relay {}: usage of {} Jetson(s) recorded", relay.id(), outcome.jetsons());
      } catch (FrpsAdminClient.FrpsException e) {
        log.warn("relay {}: metrics scrape failed: {}", relay.id(), e.getMessage());
      } catch (RuntimeException e) {
        log.error("relay {}: metrics scrape failed unexpectedly", relay.id(), e);
      }
    }
    metrics.refresh();
  }
}
