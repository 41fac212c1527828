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
  private final AtomicInteger openChannels = new AtomicInteger();
  private final AtomicInteger channelsOpened = new AtomicInteger();
  private final AtomicInteger channelsRefused = new AtomicInteger();
  private final AtomicInteger forwardsAllowed = new AtomicInteger();
  private final AtomicInteger forwardsDenied = new AtomicInteger();
  private final RouterMetrics metrics;
  private volatile String username;
  private volatile String attemptedUsername;
  private volatile String lastFailureReason;
  private final java.util.List<String> refusedFingerprints =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private volatile String keyFingerprint;
  private volatile Instant authenticatedAt;
  private volatile boolean countedAsUserSession;
  private Closeable upstream;

  public RouterSession(String sourceIp, RouterMetrics metrics) {
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

  public static String ipOf(SocketAddress address) {
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
    String who = username != null ? username : attemptedUsername;
    return who == null ? "anonymous" : "user:" + who;
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

  /**
   * Any refused authentication attempt (also registry outages and session limits); summed up in one
   * {@code ssh.auth.failure} event when the connection closes unauthenticated.
   */
  public void failedAttempt(String attempted, String fingerprint, String reason) {
    failedAttempts.incrementAndGet();
    this.attemptedUsername = attempted;
    this.lastFailureReason = reason;
    if (fingerprint != null && refusedFingerprints.size() < 8) {
      refusedFingerprints.add(fingerprint);
    }
  }

  /** The (valid) username the client last tried, or null. */
  public String attemptedUsername() {
    return attemptedUsername;
  }

  public String lastFailureOutcome() {
    return "too-many-sessions".equals(lastFailureReason) ? "DENIED" : "FAILURE";
  }

  /** The details of the connection's {@code ssh.auth.failure} event. */
  public java.util.Map<String, Object> failureDetails() {
    java.util.Map<String, Object> details = new java.util.LinkedHashMap<>();
    details.put("reason", String.valueOf(lastFailureReason));
    details.put("method", "publickey");
    details.put("attempts", failedAttempts.get());
    synchronized (refusedFingerprints) {
      details.put("keyFingerprints", String.join(",", refusedFingerprints));
      if (!refusedFingerprints.isEmpty()) {
        details.put("keyFingerprint", refusedFingerprints.get(refusedFingerprints.size() - 1));
      }
    }
    details.put(
        "durationMillis", java.time.Duration.between(connectedAt, Instant.now()).toMillis());
    return details;
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

  /**
   * Reserves a slot for a new channel of this connection; false when {@code max} are open already
   * (then only that channel is refused). A reserved slot is given back by {@link #channelClosed()}.
   */
  public boolean tryOpenChannel(int max) {
    while (true) {
      int open = openChannels.get();
      if (open >= max) {
        channelsRefused.incrementAndGet();
        return false;
      }
      if (openChannels.compareAndSet(open, open + 1)) {
        channelsOpened.incrementAndGet();
        return true;
      }
    }
  }

  public void channelClosed() {
    openChannels.decrementAndGet();
  }

  public int openChannels() {
    return openChannels.get();
  }

  public int channelsOpened() {
    return channelsOpened.get();
  }

  public int channelsRefused() {
    return channelsRefused.get();
  }

  public void forwardDecided(boolean allowed) {
    (allowed ? forwardsAllowed : forwardsDenied).incrementAndGet();
  }

  public int forwardsAllowed() {
    return forwardsAllowed.get();
  }

  public int forwardsDenied() {
    return forwardsDenied.get();
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
