package dev.spoq.jump.limits;

import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.config.JumpProperties;
import dev.spoq.jump.session.RouterMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.session.SessionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, before any SSH byte is exchanged, whether to take a TCP connection: refuses banned
 * source addresses, addresses over their connection rate (token bucket per IP), and everyone while
 * too many connections are still unauthenticated. Bans an address after {@code maxAuthFailures}
 * failed logins within {@code authFailureWindow}, for {@code banDuration}.
 */
public class ConnectionGuard implements SessionListener {

  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final int MAX_TRACKED = 100_000;

  private final JumpProperties.Limits limits;
  private final RouterMetrics metrics;
  private final AuditTrail audit;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
  private final Map<String, Instant> bans = new ConcurrentHashMap<>();

  public ConnectionGuard(
      JumpProperties.Limits limits, RouterMetrics metrics, AuditTrail audit, Clock clock) {
    this.limits = limits;
    this.metrics = metrics;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Runs first among the session listeners. Refusing here (not in MINA's {@code
   * IoServiceEventListener.connectionAccepted}, after which MINA 2.20 never closes the accepted
   * socket) makes MINA close the connection at once, before any other listener counts it.
   */
  @Override
  public void sessionCreated(Session session) {
    try {
      admit(session.getIoSession().getRemoteAddress());
    } catch (IOException refused) {
      throw new UncheckedIOException(refused);
    }
  }

  /** Throws when a connection from this address must be refused now. */
  public void admit(SocketAddress remote) throws IOException {
    String ip = ip(remote);
    Instant now = clock.instant();
    if (isBanned(ip, now)) {
      refuse("banned", ip);
    }
    if (!bucket(ip, now).tryTake(now)) {
      refuse("rate-limited", ip);
    }
    if (metrics.unauthenticatedConnections().get() >= limits.maxUnauthenticatedConnections()) {
      refuse("too-many-unauthenticated", ip);
    }
  }

  private void refuse(String reason, String ip) throws IOException {
    metrics.connectionRefused(reason);
    log.debug("refusing connection from {}: {}", ip, reason);
    throw new IOException("connection refused (" + reason + ")");
  }

  /** Whether connections from this address are refused now. */
  public boolean isBanned(String ip) {
    return isBanned(ip, clock.instant());
  }

  private boolean isBanned(String ip, Instant now) {
    Instant until = bans.get(ip);
    if (until == null) {
      return false;
    }
    if (until.isAfter(now)) {
      return true;
    }
    bans.remove(ip, until);
    return false;
  }

  /** A connection from this address ended after failed authentication. */
  public void authenticationFailed(String ip) {
    Instant now = clock.instant();
    Instant windowStart = now.minus(limits.authFailureWindow());
    boolean ban;
    synchronized (failures) {
      if (failures.size() > MAX_TRACKED) {
        failures.clear();
      }
      Deque<Instant> times = failures.computeIfAbsent(ip, k -> new ArrayDeque<>());
      times.addLast(now);
      while (!times.isEmpty() && times.peekFirst().isBefore(windowStart)) {
        times.removeFirst();
      }
      ban = times.size() >= limits.maxAuthFailures();
      if (ban) {
        failures.remove(ip);
      }
    }
    if (ban) {
      Instant until = now.plus(limits.banDuration());
      bans.put(ip, until);
      metrics.ban();
      audit.record(
          "anonymous",
          "ssh.ban",
          ip,
          ip,
          "DENIED",
          Map.of(
              "failures", limits.maxAuthFailures(),
              "bannedUntil", until.toString(),
              "banSeconds", limits.banDuration().toSeconds()));
    }
  }

  private Bucket bucket(String ip, Instant now) {
    if (buckets.size() > MAX_TRACKED) {
      buckets.entrySet().removeIf(e -> e.getValue().isFull(now));
    }
    return buckets.computeIfAbsent(ip, k -> new Bucket(now));
  }

  private static String ip(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }

  /** Token bucket: {@code burst} connections at once, refilled at the per-minute rate. */
  private final class Bucket {
    private double tokens;
    private Instant last;

    Bucket(Instant now) {
      this.tokens = limits.connectionBurstPerIp();
      this.last = now;
    }

    synchronized boolean tryTake(Instant now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    }

    synchronized boolean isFull(Instant now) {
      refill(now);
      return tokens >= limits.connectionBurstPerIp();
    }

    private void refill(Instant now) {
      double perNano =
          limits.connectionsPerMinutePerIp() / (double) Duration.ofMinutes(1).toNanos();
      long elapsed = Duration.between(last, now).toNanos();
      if (elapsed > 0) {
        tokens = Math.min(limits.connectionBurstPerIp(), tokens + elapsed * perNano);
        last = now;
      }
    }
  }
}
