package dev.spoq.jump.limits;

import dev.spoq.jump.config.JumpProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.annotation.Transactional;

/**
 * Shares the {@link ConnectionGuard}'s bans and failure counts between replicas through PostgreSQL.
 * SSH threads never wait for the database: failures and bans are collected in memory and written by
 * {@link #sync()} about once a second, which also reads back what the fleet decided (active bans,
 * pairs and addresses over their failure limits, addresses over their failure budget) and hands it
 * to the guard. So a ban made on one replica holds on the others within about a second.
 */
public class SharedLimits {

  private static final Logger log = LoggerFactory.getLogger(SharedLimits.class);
  private static final long BUCKET_SECONDS = 10;

  private final JdbcClient jdbc;
  private final ConnectionGuard guard;
  private final JumpProperties.Limits limits;
  private final Clock clock;
  private final Map<String, AtomicInteger> closes = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Ban> newBans = new ConcurrentLinkedQueue<>();
  private final Counter pruneRuns;

  record Ban(String scope, String ip, String username, Instant until) {}

  public SharedLimits(
      JdbcClient jdbc,
      ConnectionGuard guard,
      JumpProperties.Limits limits,
      Clock clock,
      MeterRegistry meters) {
    this.jdbc = jdbc;
    this.pruneRuns = meters.counter("spoq.jump.limits.prune.runs");
    this.guard = guard;
    this.limits = limits;
    this.clock = clock;
    guard.onBan((scope, ip, username, until) -> newBans.add(new Ban(scope, ip, username, until)));
    guard.onClosedUnauthenticated(this::closedUnauthenticated);
  }

  void closedUnauthenticated(String ip, String username, boolean failedLogin) {
    closes.computeIfAbsent(ip, k -> new AtomicInteger()).incrementAndGet();
    if (failedLogin) {
      failures
          .computeIfAbsent(ConnectionGuard.pairKey(ip, username), k -> new AtomicInteger())
          .incrementAndGet();
    }
  }

  /** Writes what this replica saw, then applies what the fleet decided. */
  @Scheduled(fixedDelayString = "${spoq.jump.limits.sync-interval:1s}")
  @Transactional
  public void sync() {
    Instant now = clock.instant();
    Timestamp bucket =
        Timestamp.from(
            Instant.ofEpochSecond(now.getEpochSecond() / BUCKET_SECONDS * BUCKET_SECONDS));
    for (String ip : List.copyOf(closes.keySet())) {
      int n = closes.remove(ip).get();
      jdbc.sql(
              "insert into unauthenticated_close (source_ip, bucket, closes) values (?, ?, ?)"
                  + " on conflict (source_ip, bucket)"
                  + " do update set closes = unauthenticated_close.closes + excluded.closes")
          .params(ip, bucket, n)
          .update();
    }
    for (String key : List.copyOf(failures.keySet())) {
      int n = failures.remove(key).get();
      int space = key.indexOf(' ');
      jdbc.sql(
              "insert into auth_failure (source_ip, username, bucket, failures) values (?, ?, ?, ?)"
                  + " on conflict (source_ip, username, bucket)"
                  + " do update set failures = auth_failure.failures + excluded.failures")
          .params(key.substring(0, space), key.substring(space + 1), bucket, n)
          .update();
    }
    Ban ban;
    while ((ban = newBans.poll()) != null) {
      store(ban);
    }
    Timestamp windowStart = Timestamp.from(now.minus(limits.authFailureWindow()));
    // Fleet-wide sums: failures spread over replicas ban as if they had hit one.
    for (Map<String, Object> row :
        jdbc.sql(
                "select f.source_ip, f.username, sum(f.failures) as n from auth_failure f"
                    + " left join ban b on b.source_ip = f.source_ip and b.username = f.username"
                    + " where f.bucket >= ? and (b.created_at is null or f.bucket > b.created_at)"
                    + " group by f.source_ip, f.username having sum(f.failures) >= ?")
            .params(windowStart, limits.maxAuthFailures())
            .query()
            .listOfRows()) {
      String ip = (String) row.get("source_ip");
      String user = (String) row.get("username");
      if (!guard.isBanned(ip, user)) {
        guard.ban("user", ip, user, now, ((Number) row.get("n")).intValue());
      }
    }
    for (Map<String, Object> row :
        jdbc.sql(
                "select f.source_ip, sum(f.failures) as n from auth_failure f"
                    + " left join ban b on b.source_ip = f.source_ip and b.username = ''"
                    + " where f.bucket >= ? and (b.created_at is null or f.bucket > b.created_at)"
                    + " group by f.source_ip having sum(f.failures) >= ?")
            .params(windowStart, limits.maxAuthFailuresPerAddress())
            .query()
            .listOfRows()) {
      String ip = (String) row.get("source_ip");
      if (!guard.isBanned(ip)) {
        guard.ban("address", ip, null, now, ((Number) row.get("n")).intValue());
      }
    }
    while ((ban = newBans.poll()) != null) {
      store(ban); // the bans just decided from the fleet-wide sums
    }
    Map<String, Instant> active = new HashMap<>();
    jdbc.sql("select source_ip, username, banned_until from ban where banned_until > ?")
        .param(Timestamp.from(now))
        .query(
            (rs, i) ->
                active.put(
                    rs.getString(2).isEmpty()
                        ? rs.getString(1)
                        : ConnectionGuard.pairKey(rs.getString(1), rs.getString(2)),
                    rs.getTimestamp(3).toInstant()))
        .list();
    Set<String> spent =
        new HashSet<>(
            jdbc.sql(
                    "select source_ip from unauthenticated_close where bucket >= ?"
                        + " group by source_ip having sum(closes) >= ?")
                .params(
                    Timestamp.from(now.minus(1, ChronoUnit.MINUTES)),
                    limits.unauthenticatedBurstPerIp() + limits.unauthenticatedPerMinutePerIp())
                .query(String.class)
                .list());
    guard.applyShared(active, spent);
  }

  /**
   * Stores a ban. Its {@code created_at} makes the sums above skip the failures that led to it, so
   * it does not renew itself; they still count towards the address.
   */
  private void store(Ban ban) {
    String user = ban.username() == null ? "" : ban.username();
    jdbc.sql(
            "insert into ban (source_ip, username, scope, banned_until) values (?, ?, ?, ?)"
                + " on conflict (source_ip, username) do update"
                + " set banned_until = greatest(ban.banned_until, excluded.banned_until),"
                + " scope = excluded.scope, created_at = now()")
        .params(ban.ip(), user, ban.scope(), Timestamp.from(ban.until()))
        .update();
  }

  /**
   * Removes expired bans and buckets older than any window; once per period across replicas (the
   * lock is kept for most of the period, so a replica whose timer fires later skips the period).
   * Returns nothing: ShedLock refuses to lock a method returning a primitive value.
   */
  @Scheduled(fixedDelayString = "${spoq.jump.limits.prune-interval:1m}")
  @SchedulerLock(
      name = "jump-router-prune-limits",
      lockAtMostFor = "PT5M",
      lockAtLeastFor = "${spoq.jump.limits.prune-lock-at-least-for:PT50S}")
  @Transactional
  public void prune() {
    pruneRuns.increment();
    Instant now = clock.instant();
    int removed =
        jdbc.sql("delete from ban where banned_until <= ?").param(Timestamp.from(now)).update();
    removed +=
        jdbc.sql("delete from auth_failure where bucket < ?")
            .param(Timestamp.from(now.minus(limits.authFailureWindow())))
            .update();
    removed +=
        jdbc.sql("delete from unauthenticated_close where bucket < ?")
            .param(Timestamp.from(now.minus(2, ChronoUnit.MINUTES)))
            .update();
    log.debug("pruned {} expired rows of shared limits", removed);
  }

  /** For tests: every row currently in the ban table. */
  List<String> storedBans() {
    return new ArrayList<>(
        jdbc.sql("select source_ip || ' ' || username from ban").query(String.class).list());
  }
}
