package dev.spoq.dns.record;

import dev.spoq.common.registry.RevocationEvent;
import dev.spoq.common.registry.RevocationFeed;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Follows the registry's revocation feed: revoked credentials leave the introspection cache at once
 * (done by the feed), and a revoked Jetson's DNS records are removed from the provider and audited
 * ({@code dns.record.removed}). The removal is stored first (state REMOVING), so a provider outage
 * only delays it: the reconciler retries. Of several replicas hearing the same event, the one whose
 * update marked the rows does the provider call.
 */
@Component
class RevokedJetsons implements SmartLifecycle, RevocationFeed.Listener {

  private static final Logger log = LoggerFactory.getLogger(RevokedJetsons.class);

  private final RevocationFeed feed;
  private final DnsRecordService records;
  private final RecordApplier applier;
  private final ExecutorService remover =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.MILLISECONDS,
          new LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "dns-revoked-jetsons");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean running;

  RevokedJetsons(RevocationFeed feed, DnsRecordService records, RecordApplier applier) {
    this.feed = feed;
    this.records = records;
    this.applier = applier;
  }

  @Override
  public void onRevocation(RevocationEvent event) {
    if (!RevocationEvent.JETSON.equals(event.kind()) || event.jetsonId() == null) {
      return;
    }
    List<DnsRecord> marked = records.markRemoving(event.jetsonId());
    if (marked.isEmpty()) {
      return;
    }
    log.info("Jetson {} revoked: removing {} DNS record(s)", event.jetsonId(), marked.size());
    // Off the feed's thread: a slow provider must not delay the next revocation.
    remover.execute(
        () -> {
          for (DnsRecord record : marked) {
            try {
              applier.apply(record);
            } catch (RuntimeException e) {
              log.warn("removal of {} failed; the reconciler retries", record.fqdn(), e);
            }
          }
        });
  }

  @Override
  public void start() {
    feed.addListener(this);
    feed.start();
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    feed.close();
    remover.shutdown();
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
