package dev.spoq.jump.session;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;

/** What the router keeps about one SSH connection, stored as a session attribute. */
public final class RouterSession {

  public static final AttributeKey<RouterSession> KEY = new AttributeKey<>();

  private final String sourceIp;
  private final Instant connectedAt = Instant.now();
  private final AtomicLong clientToTarget = new AtomicLong();
  private final AtomicLong targetToClient = new AtomicLong();
  private final AtomicInteger rejectedKeys = new AtomicInteger();
  private final AtomicInteger failedAttempts = new AtomicInteger();
  private final RouterMetrics metrics;
  private volatile String username;
  private volatile String keyFingerprint;
  private volatile Instant authenticatedAt;
  private volatile boolean countedAsUserSession;
  private Closeable upstream;

  RouterSession(String sourceIp, RouterMetrics metrics) {
    this.sourceIp = sourceIp;
    this.metrics = metrics;
  }

  /** The state of a session; never null for sessions of the router's server. */
  public static RouterSession of(Session session) {
    RouterSession state = session.getAttribute(KEY);
    if (state == null) {
      throw new IllegalStateException("session without router state: " + session);
    }
    return state;
  }

  static String ipOf(SocketAddress address) {
    if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return String.valueOf(address);
  }

  public String sourceIp() {
    return sourceIp;
  }

  public Instant connectedAt() {
    return connectedAt;
  }

  public String username() {
    return username;
  }

  public String actor() {
    return username == null ? "anonymous" : "user:" + username;
  }

  public String keyFingerprint() {
    return keyFingerprint;
  }

  /** Called by the authenticator when it accepts a key. */
  public void acceptedKey(String user, String fingerprint) {
    this.username = user;
    this.keyFingerprint = fingerprint;
  }

  /** A key the user does not own was offered: counts towards a ban. */
  public int rejectKey() {
    return rejectedKeys.incrementAndGet();
  }

  /** Any refused authentication attempt (also registry outages and session limits). */
  public void failedAttempt() {
    failedAttempts.incrementAndGet();
  }

  public int failedAttempts() {
    return failedAttempts.get();
  }

  public int rejectedKeys() {
    return rejectedKeys.get();
  }

  void authenticated(boolean countedAsUserSession) {
    this.authenticatedAt = Instant.now();
    this.countedAsUserSession = countedAsUserSession;
  }

  public boolean isAuthenticated() {
    return authenticatedAt != null;
  }

  boolean countedAsUserSession() {
    return countedAsUserSession;
  }

  public Instant authenticatedAt() {
    return authenticatedAt;
  }

  /** Payload bytes moved from the user towards her container. */
  public void addClientToTarget(long bytes) {
    clientToTarget.addAndGet(bytes);
    metrics.relayed(bytes, 0);
  }

  /** Payload bytes moved from the container towards the user. */
  public void addTargetToClient(long bytes) {
    targetToClient.addAndGet(bytes);
    metrics.relayed(0, bytes);
  }

  public long clientToTarget() {
    return clientToTarget.get();
  }

  public long targetToClient() {
    return targetToClient.get();
  }

  /** The upstream SSH session of a direct login, opened once per user connection. */
  public synchronized <T extends Closeable> T upstream(Class<T> type, UpstreamOpener<T> opener)
      throws IOException {
    if (upstream == null
        || (upstream instanceof org.apache.sshd.common.Closeable c && c.isClosing())) {
      upstream = opener.open();
    }
    return type.cast(upstream);
  }

  synchronized void closeUpstream() {
    if (upstream != null) {
      try {
        upstream.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      upstream = null;
    }
  }

  /** Opens an upstream connection. */
  @FunctionalInterface
  public interface UpstreamOpener<T> {
    T open() throws IOException;
  }
}
