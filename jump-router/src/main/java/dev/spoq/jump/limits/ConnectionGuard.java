package dev.spoq.jump.limits;

import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.config.JumpProperties;
import dev.spoq.jump.session.RouterMetrics;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.apache.sshd.common.SshConstants;

/**
 * Abuse limits that tell clients behind one address apart (offices, universities, carrier-grade
 * NAT):
 *
 * <ul>
 *   <li>Only failures are counted: a connection that authenticates with a registered key costs its
 *       source nothing. A connection that ends unauthenticated (wrong key, garbage, stalled key
 *       exchange) takes a token from its address's failure budget ({@code
 *       unauthenticated-burst-per-ip}, refilled at {@code unauthenticated-per-minute-per-ip}).
 *   <li>Unauthenticated connections are admitted MaxStartups-style: below {@code start} always;
 *       between {@code start} and {@code full} dropped at random with a probability rising from
 *       {@code rate}% to 100%; at {@code full} always. Each source address may hold at most {@code
 *       per-source-max-startups} of them at once, and only {@code
 *       throttled-per-source-max-startups} while its failure budget is spent.
 *   <li>Failed logins ban the pair (address, username) after {@code max-auth-failures}; the address
 *       as a whole only after {@code max-auth-failures-per-address}.
 * </ul>
 *
 * Bans and spent budgets can also come from other replicas through {@link #applyShared}.
 */
public class ConnectionGuard {

  private static final int MAX_TRACKED = 100_000;

  private final JumpProperties.Limits limits;
  private final RouterMetrics metrics;
  private final AuditTrail audit;
  private final Clock clock;
  private final DoubleSupplier random;
  private final MaxStartups startups;
  private final AtomicInteger unauthenticated = new AtomicInteger();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, Bucket> budgets = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
  private final Map<String, Instant> bans = new ConcurrentHashMap<>();
  private volatile Map<String, Instant> sharedBans = Map.of();
  private volatile java.util.Set<String> sharedSpent = java.util.Set.of();
  private volatile BanListener banListener = (scope, ip, username, until) -> {};
  private volatile ClosedListener closedListener = (ip, username, failedLogin) -> {};

  public ConnectionGuard(
      JumpProperties.Limits limits, RouterMetrics metrics, AuditTrail audit, Clock clock) {
    this(limits, metrics, audit, clock, () -> ThreadLocalRandom.current().nextDouble());
  }

  ConnectionGuard(
      JumpProperties.Limits limits,
      RouterMetrics metrics,
      AuditTrail audit,
      Clock clock,
      DoubleSupplier random) {
    this.limits = limits;
    this.metrics = metrics;
    this.audit = audit;
    this.clock = clock;
    this.random = random;
    this.startups = MaxStartups.parse(limits.maxStartups());
  }

  /** Why a connection is refused: the SSH disconnect reason code and a short text for the user. */
  public record Refusal(String reason, int code, String text) {}

  /** Told about every ban this replica decides (to share it with the other replicas). */
  @FunctionalInterface
  public interface BanListener {
    void banned(String scope, String ip, String username, Instant until);
  }

  public void onBan(BanListener listener) {
    this.banListener = listener;
  }

  /** Told about every connection that ended unauthenticated (to share the counts). */
  @FunctionalInterface
  public interface ClosedListener {
    void closed(String ip, String username, boolean failedLogin);
  }

  public void onClosedUnauthenticated(ClosedListener listener) {
    this.closedListener = listener;
  }

  /**
   * Decides on a new connection from {@code remote}; on null it is admitted and counted as
   * unauthenticated until {@link #authenticated} or {@link #closedUnauthenticated}.
   */
  public Refusal admit(SocketAddress remote) {
    String ip = ip(remote);
    Instant now = clock.instant();
    if (isBanned(ip, now)) {
      return refuse(
          "banned",
          SshConstants.SSH2_DISCONNECT_HOST_NOT_ALLOWED_TO_CONNECT,
          "too many failed logins from your address; try again later");
    }
    int total = unauthenticated.get();
    if (total >= startups.full() || (total >= startups.start() && randomDrop(total))) {
      return refuse(
          "startups",
          SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS,
          "too many unauthenticated connections; try again");
    }
    int share =
        budgetSpent(ip, now)
            ? Math.min(limits.throttledPerSourceMaxStartups(), limits.perSourceMaxStartups())
            : limits.perSourceMaxStartups();
    AtomicInteger mine = inFlight.computeIfAbsent(ip, k -> new AtomicInteger());
    if (mine.incrementAndGet() > share) {
      release(ip, mine);
      return refuse(
          "per-source",
          SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS,
          "too many unauthenticated connections from your address; try again");
    }
    unauthenticated.incrementAndGet();
    return null;
  }

  private boolean randomDrop(int total) {
    double p =
        (startups.rate()
                + (100.0 - startups.rate())
                    * (total - startups.start())
                    / Math.max(1, startups.full() - startups.start()))
            / 100.0;
    return random.getAsDouble() < p;
  }

  private Refusal refuse(String reason, int code, String text) {
    metrics.connectionRefused(reason);
    return new Refusal(reason, code, text);
  }

  /** An admitted connection authenticated: it no longer counts against anything. */
  public void authenticated(String ip) {
    leave(ip);
  }

  /**
   * An admitted connection closed without authenticating: it costs its address a token of the
   * failure budget and, when it offered keys that were refused for {@code username}, counts as a
   * failed login of that pair.
   */
  public void closedUnauthenticated(String ip, String username, boolean failedLogin) {
    leave(ip);
    Instant now = clock.instant();
    budget(ip, now).take(now);
    String user = username == null ? "" : username.toLowerCase(Locale.ROOT);
    closedListener.closed(ip, user, failedLogin);
    if (!failedLogin) {
      return;
    }
    if (countFailure(pairKey(ip, user), now) >= limits.maxAuthFailures()) {
      failures.remove(pairKey(ip, user));
      ban("user", ip, user, now, limits.maxAuthFailures());
    }
    if (countFailure(ip, now) >= limits.maxAuthFailuresPerAddress()) {
      failures.remove(ip);
      ban("address", ip, null, now, limits.maxAuthFailuresPerAddress());
    }
  }

  private void leave(String ip) {
    unauthenticated.decrementAndGet();
    AtomicInteger mine = inFlight.get(ip);
    if (mine != null) {
      release(ip, mine);
    }
  }

  private void release(String ip, AtomicInteger counter) {
    if (counter.decrementAndGet() <= 0) {
      inFlight.remove(ip, counter);
    }
  }

  private int countFailure(String key, Instant now) {
    Instant windowStart = now.minus(limits.authFailureWindow());
    if (failures.size() > MAX_TRACKED) {
      failures.clear();
    }
    Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (times) {
      times.addLast(now);
      while (!times.isEmpty() && times.peekFirst().isBefore(windowStart)) {
        times.removeFirst();
      }
      return times.size();
    }
  }

  /** Bans {@code (ip, username)} or, with a null username, the address; shared with replicas. */
  void ban(String scope, String ip, String username, Instant now, int failureCount) {
    Instant until = now.plus(limits.banDuration());
    bans.put(username == null ? ip : pairKey(ip, username), until);
    metrics.ban(scope);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("scope", scope);
    details.put("failures", failureCount);
    details.put("bannedUntil", until.toString());
    details.put("banSeconds", limits.banDuration().toSeconds());
    if (username != null) {
      details.put("username", username);
    }
    audit.record(
        username == null ? "anonymous" : "user:" + username, "ssh.ban", ip, ip, "DENIED", details);
    banListener.banned(scope, ip, username, until);
  }

  /** Whether connections from this address are refused now. */
  public boolean isBanned(String ip) {
    return isBanned(ip, clock.instant());
  }

  /** Whether logins as {@code username} from this address are refused now. */
  public boolean isBanned(String ip, String username) {
    if (username == null) {
      return false;
    }
    return isBanned(pairKey(ip, username.toLowerCase(Locale.ROOT)), clock.instant());
  }

  private boolean isBanned(String key, Instant now) {
    Instant shared = sharedBans.get(key);
    if (shared != null && shared.isAfter(now)) {
      return true;
    }
    Instant until = bans.get(key);
    if (until == null) {
      return false;
    }
    if (until.isAfter(now)) {
      return true;
    }
    bans.remove(key, until);
    return false;
  }

  private boolean budgetSpent(String ip, Instant now) {
    Bucket b = budgets.get(ip);
    return sharedSpent.contains(ip) || (b != null && b.isEmpty(now));
  }

  /** Whether this address has used up its failure budget (then it gets one slot at a time). */
  public boolean isThrottled(String ip) {
    return budgetSpent(ip, clock.instant());
  }

  /**
   * What the other replicas decided: active bans (keys {@code ip} or {@code ip username}) and
   * addresses whose fleet-wide failure budget is spent.
   */
  public void applyShared(Map<String, Instant> activeBans, java.util.Set<String> spentAddresses) {
    this.sharedBans = Map.copyOf(activeBans);
    this.sharedSpent = java.util.Set.copyOf(spentAddresses);
  }

  /** The key under which a ban of {@code (ip, username)} is kept. */
  public static String pairKey(String ip, String username) {
    return ip + " " + username;
  }

  private Bucket budget(String ip, Instant now) {
    if (budgets.size() > MAX_TRACKED) {
      budgets.entrySet().removeIf(e -> e.getValue().isFull(now));
    }
    return budgets.computeIfAbsent(ip, k -> new Bucket(now));
  }

  public static String ip(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }

  /** OpenSSH's {@code MaxStartups start:rate:full}. */
  record MaxStartups(int start, int rate, int full) {
    static MaxStartups parse(String text) {
      String[] parts = text.split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException("max-startups must be start:rate:full, not " + text);
      }
      MaxStartups m =
          new MaxStartups(
              Integer.parseInt(parts[0].trim()),
              Integer.parseInt(parts[1].trim()),
              Integer.parseInt(parts[2].trim()));
      if (m.start < 1 || m.rate < 0 || m.rate > 100 || m.full < m.start) {
        throw new IllegalArgumentException(
            "max-startups needs 1 <= start <= full, 0 <= rate <= 100");
      }
      return m;
    }
  }

  /** Failure budget: {@code burst} tokens, refilled at the per-minute rate. */
  private final class Bucket {
    private double tokens;
    private Instant last;

    Bucket(Instant now) {
      this.tokens = limits.unauthenticatedBurstPerIp();
      this.last = now;
    }

    synchronized void take(Instant now) {
      refill(now);
      tokens = Math.max(0, tokens - 1);
    }

    synchronized boolean isEmpty(Instant now) {
      refill(now);
      return tokens < 1;
    }

    synchronized boolean isFull(Instant now) {
      refill(now);
      return tokens >= limits.unauthenticatedBurstPerIp();
    }

    private void refill(Instant now) {
      double perNano =
          limits.unauthenticatedPerMinutePerIp() / (double) Duration.ofMinutes(1).toNanos();
      long elapsed = Duration.between(last, now).toNanos();
      if (elapsed > 0) {
        tokens = Math.min(limits.unauthenticatedBurstPerIp(), tokens + elapsed * perNano);
        last = now;
      }
    }
  }
}
