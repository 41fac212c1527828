package dev.spoq.relay.audit;

import dev.spoq.common.registry.AuditEvent;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.registry.RegistryUnavailableException;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Audit events: logged at once (logger {@code audit}) and sent to the registry's audit table in the
 * background, so a slow registry never delays a frps plugin decision. If the queue is full the
 * event is still in the log, and the drop is logged.
 */
@Component
public class Audit {

  private static final Logger auditLog = LoggerFactory.getLogger("audit");
  private static final Logger log = LoggerFactory.getLogger(Audit.class);

  private final RegistryClient registry;
  private final ThreadPoolExecutor sender =
      new ThreadPoolExecutor(
          1,
          1,
          0,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(10_000),
          r -> {
            Thread t = new Thread(r, "audit-sender");
            t.setDaemon(true);
            return t;
          });

  Audit(RegistryClient registry) {
    this.registry = registry;
  }

  public void record(
      String actor,
      String action,
      String target,
      String sourceIp,
      String outcome,
      Map<String, Object> details) {
    AuditEvent event =
        new AuditEvent(actor, action, cap(target, 300), ipOnly(sourceIp), outcome, details);
    auditLog.info(
        "audit action={} outcome={} actor={} target={} details={}",
        action,
        outcome,
        actor,
        target,
        details);
    try {
      sender.execute(
          () -> {
            try {
              registry.recordAudit(event);
            } catch (RegistryUnavailableException | IllegalArgumentException e) {
              log.warn("audit event {} not stored at the registry: {}", action, e.getMessage());
            }
          });
    } catch (RejectedExecutionException e) {
      log.warn("audit queue full; event {} kept in the log only", action);
    }
  }

  /** The address part of "ip", "ip:port" or "[v6]:port"; null for anything else. */
  public static String ipOnly(String source) {
    if (source == null || source.length() > 64) {
      return null;
    }
    String s = source.strip();
    if (s.startsWith("[") && s.contains("]")) {
      s = s.substring(1, s.indexOf(']'));
    } else if (s.chars().filter(c -> c == ':').count() == 1) {
      s = s.substring(0, s.indexOf(':'));
    }
    return s.matches("[0-9A-Fa-f.:]{2,45}") ? s : null;
  }

  private static String cap(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  @PreDestroy
  void stop() throws InterruptedException {
    sender.shutdown();
    sender.awaitTermination(3, TimeUnit.SECONDS);
  }
}
