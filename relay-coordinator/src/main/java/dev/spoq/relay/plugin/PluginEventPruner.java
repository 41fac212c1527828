package dev.spoq.relay.plugin;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Keeps the {@code plugin_event} table bounded: events older than the retention are deleted. */
@Component
class PluginEventPruner {

  private static final Logger log = LoggerFactory.getLogger(PluginEventPruner.class);

  private final JdbcClient jdbc;
  private final int retentionDays;

  PluginEventPruner(
      JdbcClient jdbc, @Value("${spoq.relay.plugin.event-retention-days:30}") int retentionDays) {
    this.jdbc = jdbc;
    this.retentionDays = Math.max(1, retentionDays);
  }

  @Scheduled(initialDelayString = "PT5M", fixedDelayString = "PT6H")
  @SchedulerLock(
      name = "relay-plugin-event-prune",
      lockAtLeastFor = "${spoq.relay.plugin.prune-lock-at-least-for:PT5H}",
      lockAtMostFor = "PT6H")
  public void prune() {
    int deleted =
        jdbc.sql("DELETE FROM plugin_event WHERE at < now() - make_interval(days => ?)")
            .param(retentionDays)
            .update();
    if (deleted > 0) {
      log.info("pruned {} frps plugin event(s) older than {} days", deleted, retentionDays);
    }
  }
}
