package dev.spoq.relay.relayserver;

import dev.spoq.relay.assignment.JetsonSetChanges;
import dev.spoq.relay.config.RelayProperties;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * Holds the Jetson-set long-polls of relay-servers without a thread each: every held request is a
 * {@link DeferredResult}. One background thread compares each waited-on relay's set version with
 * the database every {@code spoq.relay.spoq.watch-interval} (1 s; this also catches changes made on
 * other replicas) and at once when this instance changed something ({@link JetsonSetChanges}), and
 * answers the waiters whose version is out of date. At most {@code spoq.relay.spoq.max-waiters}
 * requests are held; more get 503 with Retry-After.
 *
 * <p>On shutdown it stops before the web server's graceful shutdown (which would wait for every
 * held request) and answers each held long-poll at once with 304, as if its wait had run out;
 * long-polls arriving meanwhile get 304 at once. relay-servers re-poll, through the balancer on the
 * other replica, without an error, and the replica stops in about a second.
 */
@Component
class JetsonSetWatcher implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(JetsonSetWatcher.class);

  /** A held long-poll. */
  record Waiter(String knownVersion, DeferredResult<ResponseEntity<?>> result) {}

  private final JetsonSets sets;
  private final int maxWaiters;
  private final Map<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
  private final AtomicInteger held = new AtomicInteger();
  private final AtomicBoolean nudged = new AtomicBoolean();
  private volatile boolean running;
  private volatile boolean stopping;
  private final ScheduledExecutorService thread =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "jetson-set-watcher");
            t.setDaemon(true);
            return t;
          });

  JetsonSetWatcher(JetsonSets sets, RelayProperties properties, JetsonSetChanges changes) {
    this.sets = sets;
    this.maxWaiters = properties.relay().spoq().maxWaiters();
    Duration interval = properties.relay().spoq().watchInterval();
    thread.scheduleWithFixedDelay(
        this::checkAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    changes.subscribe(this::nudge);
  }

  /** Holds a request until the set differs from {@code knownVersion}; false when full. */
  boolean hold(String relayId, String knownVersion, DeferredResult<ResponseEntity<?>> result) {
    if (held.incrementAndGet() > maxWaiters) {
      held.decrementAndGet();
      return false;
    }
    Waiter waiter = new Waiter(knownVersion, result);
    waiting.computeIfAbsent(relayId, k -> ConcurrentHashMap.newKeySet()).add(waiter);
    result.onCompletion(
        () -> {
          Set<Waiter> set = waiting.get(relayId);
          if (set != null && set.remove(waiter)) {
            held.decrementAndGet();
          }
        });
    if (stopping) {
      result.setResult(JetsonSetAnswers.notModified(knownVersion));
    }
    return true;
  }

  @Override
  public void start() {
    stopping = false;
    running = true;
  }

  /** Answers every held long-poll with 304 now (before the web server's graceful shutdown). */
  @Override
  public void stop() {
    stopping = true;
    running = false;
    int answered = 0;
    for (Set<Waiter> set : waiting.values()) {
      for (Waiter w : set) {
        if (w.result().setResult(JetsonSetAnswers.notModified(w.knownVersion()))) {
          answered++;
        }
      }
    }
    log.info("stopping: answered {} held Jetson-set long-polls with 304", answered);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops among the first lifecycles: before the web server's graceful shutdown. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }

  int held() {
    return held.get();
  }

  /** Something changed here: check the waiters now rather than at the next tick. */
  void nudge() {
    if (nudged.compareAndSet(false, true)) {
      thread.execute(
          () -> {
            nudged.set(false);
            checkAll();
          });
    }
  }

  private void checkAll() {
    for (Map.Entry<String, Set<Waiter>> entry : waiting.entrySet()) {
      if (entry.getValue().isEmpty()) {
        continue;
      }
      try {
        String relayId = entry.getKey();
        String version = sets.version(relayId);
        List<Waiter> due = new ArrayList<>();
        for (Waiter w : entry.getValue()) {
          if (!w.knownVersion().equals(version)) {
            due.add(w);
          }
        }
        if (!due.isEmpty()) {
          ResponseEntity<?> answer = JetsonSetAnswers.ok(sets.current(relayId));
          due.forEach(w -> w.result().setResult(answer));
        }
      } catch (RuntimeException e) {
        log.warn("jetson set check failed: {}", e.getMessage());
      }
    }
  }

  @PreDestroy
  void close() {
    thread.shutdownNow();
  }
}
