package dev.spoq.relay.audit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Audits every refusal (failed authentication, access to another tenant's resource, frps plugin
 * refusals) without letting an attacker amplify it into one row per request: refusals are counted
 * per (action, actor, source, target) and written as ONE audit event per key per window ({@code
 * spoq.relay.audit.denial-window}, 60 s) with {@code count}. So 1,000 random tokens from one
 * address in a minute make one {@code auth.failed} row with {@code count: 1000}. The audit log line
 * is written at flush time too; the per-request detail stays in the DEBUG log only.
 */
@Component
public class DenialAudit {

  private static final int MAX_KEYS = 10_000;

  private record Key(String action, String actor, String source, String target, String reason) {}

  private final Audit audit;
  private final Map<Key, AtomicLong> counts = new ConcurrentHashMap<>();
  private final AtomicLong overflow = new AtomicLong();

  DenialAudit(Audit audit) {
    this.audit = audit;
  }

  /** Counts one refusal; it reaches the audit log at the next flush. */
  public void deny(String action, String actor, String source, String target, String reason) {
    Key key = new Key(action, actor, Audit.ipOnly(source), target, reason);
    AtomicLong n = counts.get(key);
    if (n == null) {
      if (counts.size() >= MAX_KEYS) {
        overflow.incrementAndGet();
        return;
      }
      n = counts.computeIfAbsent(key, k -> new AtomicLong());
    }
    n.incrementAndGet();
  }

  /** Writes one audit event per key seen since the last flush, with its count. */
  @Scheduled(
      initialDelayString = "${spoq.relay.audit.denial-window:60s}",
      fixedDelayString = "${spoq.relay.audit.denial-window:60s}")
  public void flush() {
    for (Key key : counts.keySet()) {
      AtomicLong n = counts.remove(key);
      long count = n == null ? 0 : n.get();
      if (count == 0) {
        continue;
      }
      audit.record(
          key.actor(),
          key.action(),
          key.target(),
          key.source(),
          "DENIED",
          Map.of("count", count, "reason", key.reason()));
    }
    long dropped = overflow.getAndSet(0);
    if (dropped > 0) {
      audit.record(
          "unknown",
          "relay.audit.overflow",
          "relay-coordinator",
          null,
          "DENIED",
          Map.of("count", dropped, "reason", "more distinct refusals than one window holds"));
    }
  }
}
