package dev.spoq.relay.assignment;

import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.relay.audit.Audit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Gives back the relay ports of Jetsons the registry no longer knows or has revoked: their
 * assignment, relay credential and latency reports are deleted (the frps plugin already refuses
 * them). Runs hourly; stops at the first registry failure and tries again next round.
 */
@Component
public class AssignmentReaper {

  private static final Logger log = LoggerFactory.getLogger(AssignmentReaper.class);

  private final JdbcClient jdbc;
  private final RegistryClient registry;
  private final TransactionTemplate tx;
  private final Audit audit;

  AssignmentReaper(JdbcClient jdbc, RegistryClient registry, TransactionTemplate tx, Audit audit) {
    this.jdbc = jdbc;
    this.registry = registry;
    this.tx = tx;
    this.audit = audit;
  }

  @Scheduled(
      initialDelayString = "${spoq.relay.reaper.initial-delay:PT10M}",
      fixedDelayString = "${spoq.relay.reaper.interval:PT1H}")
  @SchedulerLock(
      name = "relay-assignment-reaper",
      lockAtLeastFor = "${spoq.relay.reaper.lock-at-least-for:PT50M}",
      lockAtMostFor = "PT1H")
  public void scheduled() {
    reap();
  }

  /** One round; returns how many Jetsons' relay state was released. */
  public int reap() {
    List<UUID> jetsons =
        jdbc.sql("SELECT jetson_id FROM assignment UNION SELECT jetson_id FROM relay_credential")
            .query(UUID.class)
            .list();
    int released = 0;
    for (UUID jetsonId : jetsons) {
      Optional<JetsonSummary> summary;
      try {
        summary = registry.jetson(jetsonId);
      } catch (RegistryUnavailableException e) {
        log.warn("assignment reaper paused: {}", e.getMessage());
        break;
      }
      if (summary.isPresent() && !summary.get().revoked()) {
        continue;
      }
      String why = summary.isEmpty() ? "unknown to the registry" : "revoked";
      tx.executeWithoutResult(
          s -> {
            jdbc.sql("DELETE FROM assignment WHERE jetson_id = ?").param(jetsonId).update();
            jdbc.sql("DELETE FROM relay_credential WHERE jetson_id = ?").param(jetsonId).update();
            jdbc.sql("DELETE FROM latency_report WHERE jetson_id = ?").param(jetsonId).update();
          });
      released++;
      log.info("released relay assignment of jetson {} ({})", jetsonId, why);
      audit.record(
          "service:relay-coordinator",
          "relay.assignment.released",
          "jetson:" + jetsonId,
          null,
          "SUCCESS",
          Map.of("reason", why));
    }
    return released;
  }
}
