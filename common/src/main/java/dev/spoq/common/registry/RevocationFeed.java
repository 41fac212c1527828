package dev.spoq.common.registry;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the registry's revocation feed (contract C4) on one background thread: it long-polls
 * {@code GET /internal/v1/revocations}, evicts the revoked credentials from a {@link
 * CachingRegistryAuthenticator}, and calls the registered {@link Listener}s (in feed order, on the
 * feed's thread; keep them short).
 *
 * <p>While the feed answers, the authenticator keeps answers for {@link Settings#healthyTtl()}
 * (revocations arrive by push within about a second). When a poll fails, the cache is cleared and
 * the TTL drops to {@link Settings#fallbackTtl()} until the feed answers again, so a revocation
 * still takes effect within that TTL; polling is retried every {@link Settings#retry()}.
 *
 * <p>Start it once per service: {@code feed = new RevocationFeed(registryClient, authenticator,
 * RevocationFeed.Settings.defaults()); feed.addListener(e -> ...); feed.start();} and {@link
 * #close()} it on shutdown.
 */
public class RevocationFeed implements AutoCloseable {

  /** Called for every revocation event, once per event, in feed order. */
  @FunctionalInterface
  public interface Listener {
    void onRevocation(RevocationEvent event);
  }

  /**
   * @param pollWait how long one long-poll waits (at most 30 s)
   * @param healthyTtl cache TTL while the feed works
   * @param fallbackTtl cache TTL while it fails (the revocation latency then)
   * @param retry pause after a failed poll
   */
  public record Settings(
      Duration pollWait, Duration healthyTtl, Duration fallbackTtl, Duration retry) {
    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(25),
          Duration.ofMinutes(30),
          Duration.ofSeconds(2),
          Duration.ofSeconds(1));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(RevocationFeed.class);

  private final RegistryClient registry;
  private final CachingRegistryAuthenticator authenticator;
  private final Settings settings;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean running;
  private volatile boolean healthy;
  private volatile long cursor = -1;
  private volatile Thread thread;

  /**
   * @param authenticator the cache to evict from and whose TTL to steer; null when the service has
   *     none and only uses listeners
   */
  public RevocationFeed(
      RegistryClient registry, CachingRegistryAuthenticator authenticator, Settings settings) {
    this.registry = registry;
    this.authenticator = authenticator;
    this.settings = settings;
    if (authenticator != null) {
      authenticator.useTtl(settings.fallbackTtl());
    }
  }

  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  /** Starts following the feed (idempotent). */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    Thread t = new Thread(this::run, "revocation-feed");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Whether the last poll succeeded (revocations arrive by push). */
  public boolean healthy() {
    return healthy;
  }

  /** The last cursor seen; -1 before the first answer. */
  public long cursor() {
    return cursor;
  }

  @Override
  public synchronized void close() {
    running = false;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  private void run() {
    while (running) {
      try {
        if (cursor < 0) {
          cursor = registry.revocationCursor();
          markHealthy();
        }
        Revocations answer = registry.revocations(cursor, settings.pollWait());
        if (answer.cursor() < cursor) {
          // The feed was reset (e.g. a restored database): nothing cached can be trusted.
          log.warn("revocation feed reset from cursor {} to {}", cursor, answer.cursor());
          if (authenticator != null) {
            authenticator.clear();
          }
        }
        for (RevocationEvent event : answer.events()) {
          deliver(event);
        }
        cursor = answer.cursor();
        markHealthy();
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        markUnhealthy(e);
        pause();
      }
    }
  }

  private void deliver(RevocationEvent event) {
    if (authenticator != null) {
      authenticator.evict(event);
    }
    for (Listener listener : listeners) {
      try {
        listener.onRevocation(event);
      } catch (RuntimeException e) {
        log.warn("revocation listener failed for {} event", event.kind(), e);
      }
    }
  }

  private void markHealthy() {
    if (!healthy) {
      healthy = true;
      if (authenticator != null) {
        authenticator.useTtl(settings.healthyTtl());
      }
      log.info("revocation feed healthy at cursor {}", cursor);
    }
  }

  private void markUnhealthy(RuntimeException e) {
    if (healthy) {
      healthy = false;
      log.warn(
          "revocation feed failing ({}); cache TTL now {}", e.getMessage(), settings.fallbackTtl());
      if (authenticator != null) {
        // Answers cached under the long TTL could outlive a revocation we can no longer see.
        authenticator.useTtl(settings.fallbackTtl());
        authenticator.clear();
      }
    }
  }

  private void pause() {
    try {
      Thread.sleep(settings.retry().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }
}
