package dev.spoq.jump.audit;

import dev.spoq.common.registry.AuditEvent;
import dev.spoq.common.registry.RegistryClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Audit events: written at once to the dedicated {@code spoq.audit.jump-router} logger as
 * structured key-value pairs, and persisted in the registry by background senders from bounded
 * queues. Recording never blocks the caller. Security events (authentication, bans, refused
 * targets, logins) have their own queue, drained first; only routine events (session summaries)
 * give way when the registry cannot keep up. A dropped registry copy is counted in {@code
 * spoq.jump.audit.events{result="dropped"}} (security ones also in {@code
 * spoq.jump.audit.security.dropped}); the log line is always written.
 */
public class AuditTrail implements AutoCloseable {

  public static final String LOGGER = "spoq.audit.jump-router";
  private static final Logger audit = LoggerFactory.getLogger(LOGGER);
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  private static final int ATTEMPTS = 3;

  private final RegistryClient registry;
  private static final int SENDERS = 3;

  private final BlockingQueue<AuditEvent> queue;
  private final BlockingQueue<AuditEvent> security;
  private final Counter dropped;
  private final Counter droppedSecurity;
  private final Counter delivered;
  private final Counter failed;
  private final List<Thread> senders = new ArrayList<>();
  private volatile boolean running = true;

  public AuditTrail(RegistryClient registry, int capacity, MeterRegistry meters) {
    this.registry = registry;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.security = new ArrayBlockingQueue<>(capacity);
    this.dropped = meters.counter("spoq.jump.audit.events", "result", "dropped");
    this.droppedSecurity = meters.counter("spoq.jump.audit.security.dropped");
    this.delivered = meters.counter("spoq.jump.audit.events", "result", "delivered");
    this.failed = meters.counter("spoq.jump.audit.events", "result", "failed");
    meters.gauge("spoq.jump.audit.queue", this, AuditTrail::pending);
    for (int i = 1; i <= SENDERS; i++) {
      Thread sender = new Thread(this::deliverLoop, "jump-audit-sender-" + i);
      sender.setDaemon(true);
      sender.start();
      senders.add(sender);
    }
  }

  /** Routine events give way to security events when the registry is slow. */
  static boolean isRoutine(String action) {
    return "ssh.session".equals(action);
  }

  /**
   * Records one event.
   *
   * @param actor {@code user:alice}, or {@code anonymous} before authentication
   * @param action dotted verb such as {@code ssh.forward.denied}
   * @param outcome {@code SUCCESS}, {@code FAILURE} or {@code DENIED}
   */
  public void record(
      String actor,
      String action,
      String target,
      String sourceIp,
      String outcome,
      Map<String, Object> details) {
    Map<String, Object> safeDetails = details == null ? Map.of() : new LinkedHashMap<>(details);
    LoggingEventBuilder line =
        audit
            .atInfo()
            .addKeyValue("audit.actor", actor)
            .addKeyValue("audit.action", action)
            .addKeyValue("audit.target", target)
            .addKeyValue("audit.sourceIp", sourceIp)
            .addKeyValue("audit.outcome", outcome);
    safeDetails.forEach((k, v) -> line.addKeyValue("audit.details." + k, v));
    line.log("{} {} {} -> {} from {}", action, outcome, actor, target, sourceIp);
    AuditEvent event = new AuditEvent(actor, action, target, sourceIp, outcome, safeDetails);
    if (isRoutine(action)) {
      if (!queue.offer(event)) {
        dropped.increment();
      }
    } else if (!security.offer(event)) {
      dropped.increment();
      droppedSecurity.increment();
    }
  }

  /** Events waiting to reach the registry. */
  public int pending() {
    return queue.size() + security.size();
  }

  private void deliverLoop() {
    while (running || pending() > 0) {
      AuditEvent event = security.poll();
      try {
        if (event == null) {
          event = queue.poll(50, TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
        continue;
      }
      if (event != null) {
        deliver(event);
      }
    }
  }

  private void deliver(AuditEvent event) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        registry.recordAudit(event);
        delivered.increment();
        return;
      } catch (RuntimeException e) {
        if (attempt == ATTEMPTS || !running) {
          failed.increment();
          log.warn(
              "audit event {} not persisted in the registry: {}", event.action(), e.getMessage());
          return;
        }
        sleep(200L * attempt);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops after trying (for at most 5 s) to deliver what is queued. */
  @Override
  public void close() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (pending() > 0 && System.nanoTime() < deadline) {
      sleep(20);
    }
    running = false;
    for (Thread sender : senders) {
      sender.interrupt();
    }
    try {
      for (Thread sender : senders) {
        sender.join(2000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
