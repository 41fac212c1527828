package dev.spoq.dns.ratelimit;

import dev.spoq.dns.config.DnsProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Deletes idle rate-limit buckets every minute, on one replica (ShedLock). */
@Component
class RateBucketPruner implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(RateBucketPruner.class);
  private static final Duration PERIOD = Duration.ofMinutes(1);

  private final JdbcClient jdbc;
  private final LockingTaskExecutor locks;
  private final Duration idle;
  private volatile ScheduledExecutorService scheduler;

  RateBucketPruner(JdbcClient jdbc, LockingTaskExecutor locks, DnsProperties properties) {
    this.jdbc = jdbc;
    this.locks = locks;
    DnsProperties.RateLimit limits = properties.rateLimit();
    Duration longest =
        limits.deviceWindow().compareTo(limits.sourceIpWindow()) > 0
            ? limits.deviceWindow()
            : limits.sourceIpWindow();
    this.idle = longest.plus(PERIOD);
  }

  private void prune() {
    try {
      locks.executeWithLock(
          (Runnable)
              () -> {
                int deleted = SharedRateLimiter.pruneIdle(jdbc, idle);
                if (deleted > 0) {
                  log.debug("pruned {} idle rate-limit buckets", deleted);
                }
              },
          new LockConfiguration(
              Instant.now(), "dns-rate-bucket-prune", PERIOD, PERIOD.minusSeconds(5)));
    } catch (RuntimeException e) {
      log.warn("rate-limit bucket pruning failed; will run again: {}", e.getMessage());
    }
  }

  @Override
  public void start() {
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dns-rate-bucket-pruner");
              t.setDaemon(true);
              return t;
            });
    long period = PERIOD.toMillis();
    s.scheduleWithFixedDelay(this::prune, period, period, TimeUnit.MILLISECONDS);
    scheduler = s;
  }

  @Override
  public void stop() {
    ScheduledExecutorService s = scheduler;
    scheduler = null;
    if (s != null) {
      s.shutdownNow();
    }
  }

  @Override
  public boolean isRunning() {
    return scheduler != null;
  }
}
