package dev.spoq.dns.audit;

import dev.spoq.common.registry.AuditEvent;
import dev.spoq.common.registry.RegistryClient;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Every DNS change is an audit event: a structured log line at once (logger {@code dns.audit}), and
 * a row in the registry's audit table sent in the background. Sending is best effort: a registry
 * outage never blocks or fails the request that caused the event.
 */
public class DnsAudit implements DisposableBean {

  public static final String SUCCESS = "SUCCESS";
  public static final String FAILURE = "FAILURE";
  public static final String DENIED = "DENIED";

  private static final Logger audit = LoggerFactory.getLogger("dns.audit");
  private static final Logger log = LoggerFactory.getLogger(DnsAudit.class);

  private final RegistryClient registry;
  private final ThreadPoolExecutor sender;

  public DnsAudit(RegistryClient registry) {
    this.registry = registry;
    this.sender =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(10_000),
            r -> {
              Thread t = new Thread(r, "dns-audit-sender");
              t.setDaemon(true);
              return t;
            });
  }

  public void record(
      String actor,
      String action,
      String target,
      String sourceIp,
      String outcome,
      Map<String, Object> details) {
    Map<String, Object> safeDetails = new LinkedHashMap<>(details);
    var line =
        audit
            .atInfo()
            .addKeyValue("audit.actor", actor)
            .addKeyValue("audit.action", action)
            .addKeyValue("audit.target", target)
            .addKeyValue("audit.outcome", outcome);
    if (sourceIp != null) {
      line = line.addKeyValue("audit.source_ip", sourceIp);
    }
    for (var e : safeDetails.entrySet()) {
      line = line.addKeyValue("audit." + e.getKey(), e.getValue());
    }
    line.log("audit {} {} {} by {}", action, target, outcome, actor);
    AuditEvent event = new AuditEvent(actor, action, target, sourceIp, outcome, safeDetails);
    try {
      sender.execute(() -> send(event));
    } catch (RejectedExecutionException e) {
      log.warn("audit queue full; event {} {} kept in the log only", action, target);
    }
  }

  /** Waits until queued events were sent (tests, shutdown). */
  public boolean drain(long timeoutMillis) {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      if (sender.getQueue().isEmpty() && sender.getActiveCount() == 0) {
        return true;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private void send(AuditEvent event) {
    try {
      registry.recordAudit(event);
    } catch (RuntimeException e) {
      log.warn(
          "audit event {} {} not stored in the registry ({}); it stays in the log",
          event.action(),
          event.target(),
          e.getMessage());
    }
  }

  @Override
  public void destroy() {
    sender.shutdown();
    try {
      sender.awaitTermination(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
