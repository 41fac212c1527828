package dev.spoq.relay.protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent side of a relay session (contract C3). It says an authenticated hello to the relay,
 * keeps the session alive, re-connects when the relay stops answering, and forwards each client
 * flow the relay announces to the local WireGuard port through its own local UDP socket, so
 * WireGuard sees every client as its own endpoint. It never reads WireGuard payloads.
 *
 * <p>One daemon thread per tunnel. The socket towards the relay is not connected, so a change of
 * the Jetson's own address is followed on the next send; the relay moves the session to the new
 * source address when an authenticated frame arrives from it.
 */
public final class RelayTunnel implements AutoCloseable {

  public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(20);

  /** Client flows the tunnel holds at once; further new flows are dropped until some expire. */
  static final int MAX_FLOWS = 1024;

  static final Duration FLOW_IDLE = Duration.ofMinutes(5);
  static final Duration HELLO_FIRST_RETRY = Duration.ofSeconds(1);
  static final Duration HELLO_MAX_RETRY = Duration.ofSeconds(8);
  static final Duration PROBE_INTERVAL = Duration.ofSeconds(2);

  /**
   * Silence beyond keepalive + this (at most 2 keepalives) ends the session; probes go meanwhile.
   */
  static final Duration DEAD_AFTER_EXTRA = Duration.ofSeconds(8);

  private static final Logger log = LoggerFactory.getLogger(RelayTunnel.class);
  private static final SecureRandom random = new SecureRandom();

  /**
   * @param relay the relay host and its agent port
   * @param sessionKey the 32-byte key from {@link SessionKeys#derive(String)}
   * @param localWireGuard the Jetson's WireGuard listen address, normally 127.0.0.1:51820
   * @param keepalive how often the session is refreshed (at most 25 s, to hold home NAT mappings)
   */
  public record Config(
      InetSocketAddress relay,
      UUID jetsonId,
      byte[] sessionKey,
      InetSocketAddress localWireGuard,
      Duration keepalive) {

    public Config {
      Objects.requireNonNull(relay, "relay");
      Objects.requireNonNull(jetsonId, "jetsonId");
      Objects.requireNonNull(sessionKey, "sessionKey");
      Objects.requireNonNull(localWireGuard, "localWireGuard");
      if (relay.isUnresolved()) {
        throw new IllegalArgumentException("relay address is unresolved: " + relay);
      }
      if (sessionKey.length != 32) {
        throw new IllegalArgumentException("session key must have 32 bytes");
      }
      keepalive = keepalive == null ? DEFAULT_KEEPALIVE : keepalive;
      if (keepalive.isNegative()
          || keepalive.isZero()
          || keepalive.compareTo(Duration.ofSeconds(25)) > 0) {
        throw new IllegalArgumentException("keepalive must be in (0, 25 s]: " + keepalive);
      }
      sessionKey = sessionKey.clone();
    }

    public Config(
        InetSocketAddress relay,
        UUID jetsonId,
        byte[] sessionKey,
        InetSocketAddress localWireGuard) {
      this(relay, jetsonId, sessionKey, localWireGuard, DEFAULT_KEEPALIVE);
    }

    @Override
    public String toString() {
      return "Config[relay=" + relay + ", jetsonId=" + jetsonId + ", keepalive=" + keepalive + "]";
    }
  }

  public enum State {
    CONNECTING,
    UP,
    DOWN
  }

  public record Status(
      State state,
      Instant upSince,
      Instant lastHeardFromRelay,
      int clients,
      long bytesToJetson,
      long bytesFromJetson,
      String lastError) {}

  private final Config config;
  private final Selector selector;
  private final DatagramChannel relayChannel;
  private final Thread thread;
  private final Map<Integer, Flow> flows = new HashMap<>();
  private final byte[] receiveBuffer = new byte[65536];
  private final byte[] sendBuffer = new byte[65536];

  private volatile boolean closed;
  private volatile State state = State.CONNECTING;
  private volatile Instant upSince;
  private volatile Instant lastHeard;
  private volatile int clients;
  private volatile long bytesToJetson;
  private volatile long bytesFromJetson;
  private volatile String lastError;

  private SessionCrypto session;
  private boolean confirmed;
  private byte[] pendingNonce;
  private long nextHelloNanos;
  private long helloRetryNanos = HELLO_FIRST_RETRY.toNanos();
  private long lastHeardNanos;
  private long lastKeepaliveNanos;
  private long sessionStartNanos;

  private RelayTunnel(Config config) throws IOException {
    this.config = config;
    this.selector = Selector.open();
    this.relayChannel = DatagramChannel.open();
    relayChannel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
    relayChannel.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
    relayChannel.bind(null);
    relayChannel.configureBlocking(false);
    relayChannel.register(selector, SelectionKey.OP_READ);
    this.thread = new Thread(this::run, "relay-tunnel-" + config.jetsonId());
    thread.setDaemon(true);
  }

  /** Starts the tunnel and returns at once; it connects and re-connects by itself. */
  public static RelayTunnel open(Config config) {
    try {
      RelayTunnel tunnel = new RelayTunnel(config);
      tunnel.thread.start();
      return tunnel;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a UDP socket for the relay tunnel", e);
    }
  }

  public Status status() {
    return new Status(
        state, upSince, lastHeard, clients, bytesToJetson, bytesFromJetson, lastError);
  }

  @Override
  public void close() {
    closed = true;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    log.info("relay tunnel for {} towards {} starting", config.jetsonId(), config.relay());
    try {
      while (!closed) {
        timers(System.nanoTime());
        selector.select(100);
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          if (!key.isValid()) {
            continue;
          }
          if (key.attachment() instanceof Flow flow) {
            drainFlow(flow);
          } else {
            drainRelay();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      lastError = "tunnel stopped: " + e;
      log.error("relay tunnel for {} stopped", config.jetsonId(), e);
    } finally {
      state = State.DOWN;
      flows.values().forEach(Flow::close);
      flows.clear();
      clients = 0;
      closeQuietly();
    }
  }

  private void timers(long now) {
    if (session == null) {
      if (now - nextHelloNanos >= 0) {
        sendHello(now);
      }
    } else {
      long silence = now - lastHeardNanos;
      long keepalive = config.keepalive().toNanos();
      long probe = Math.min(PROBE_INTERVAL.toNanos(), keepalive / 2);
      long deadExtra = Math.min(DEAD_AFTER_EXTRA.toNanos(), 2 * keepalive);
      if (!confirmed && now - sessionStartNanos > HELLO_MAX_RETRY.toNanos()) {
        lose("the relay did not confirm the session");
      } else if (silence > keepalive + deadExtra) {
        lose("no answer from the relay for " + Duration.ofNanos(silence).toSeconds() + " s");
      } else if (now - lastKeepaliveNanos >= keepalive
          || (silence > keepalive && now - lastKeepaliveNanos >= probe)) {
        sendSession(RelayFrames.KEEPALIVE, 0, 0);
        lastKeepaliveNanos = now;
      }
    }
    expireFlows(now);
  }

  private void sendHello(long now) {
    pendingNonce = new byte[RelayFrames.NONCE_SIZE];
    random.nextBytes(pendingNonce);
    byte[] hello =
        new RelayFrames.Hello(config.jetsonId(), System.currentTimeMillis(), pendingNonce)
            .encode(config.sessionKey());
    sendRaw(hello, hello.length);
    nextHelloNanos = now + helloRetryNanos;
    helloRetryNanos = Math.min(helloRetryNanos * 2, HELLO_MAX_RETRY.toNanos());
  }

  private void lose(String why) {
    log.warn("relay session for {} lost: {}", config.jetsonId(), why);
    lastError = why;
    session = null;
    confirmed = false;
    state = State.DOWN;
    upSince = null;
    helloRetryNanos = HELLO_FIRST_RETRY.toNanos();
    nextHelloNanos = System.nanoTime();
    flows.values().forEach(Flow::close);
    flows.clear();
    clients = 0;
  }

  private void drainRelay() throws IOException {
    while (true) {
      ByteBuffer in = ByteBuffer.wrap(receiveBuffer);
      SocketAddress from;
      try {
        from = relayChannel.receive(in);
      } catch (IOException e) {
        lastError = "receive from relay failed: " + e.getMessage();
        return;
      }
      if (from == null) {
        return;
      }
      if (from.equals(config.relay())) {
        onRelayFrame(in.position());
      }
    }
  }

  private void onRelayFrame(int len) throws IOException {
    byte type = RelayFrames.type(receiveBuffer, len);
    if (type == RelayFrames.HELLO_ACK) {
      onHelloAck();
      return;
    }
    if (type == 0 || type == RelayFrames.HELLO || session == null) {
      return;
    }
    if (!session.open(receiveBuffer, len)) {
      return;
    }
    long now = System.nanoTime();
    lastHeardNanos = now;
    lastHeard = Instant.now();
    if (!confirmed) {
      confirmed = true;
      state = State.UP;
      upSince = Instant.now();
      lastError = null;
      log.info("relay session for {} up via {}", config.jetsonId(), config.relay());
    }
    if (type == RelayFrames.DATA) {
      deliverToWireGuard(RelayFrames.flowId(receiveBuffer), len - RelayFrames.OVERHEAD, now);
    }
  }

  private void onHelloAck() {
    if (pendingNonce == null || !RelayFrames.HelloAck.verify(receiveBuffer, config.sessionKey())) {
      return;
    }
    RelayFrames.HelloAck ack = RelayFrames.HelloAck.peek(receiveBuffer);
    if (!java.security.MessageDigest.isEqual(ack.agentNonce(), pendingNonce)) {
      return;
    }
    pendingNonce = null;
    flows.values().forEach(Flow::close);
    flows.clear();
    clients = 0;
    session =
        SessionCrypto.agent(
            config.sessionKey(), ack.sessionId(), ack.agentNonce(), ack.relayNonce());
    confirmed = false;
    long now = System.nanoTime();
    sessionStartNanos = now;
    lastHeardNanos = now;
    lastKeepaliveNanos = now;
    // The first authenticated frame from this address is what makes the relay switch to the
    // session.
    sendSession(RelayFrames.KEEPALIVE, 0, 0);
  }

  private void deliverToWireGuard(int flowId, int payloadLength, long now) throws IOException {
    Flow flow = flows.get(flowId);
    if (flow == null) {
      if (flows.size() >= MAX_FLOWS) {
        return;
      }
      flow = new Flow(flowId);
      flows.put(flowId, flow);
      clients = flows.size();
    }
    flow.lastActiveNanos = now;
    try {
      flow.channel.write(ByteBuffer.wrap(receiveBuffer, RelayFrames.HEADER, payloadLength));
      bytesToJetson += payloadLength;
    } catch (IOException e) {
      lastError = "local WireGuard unreachable: " + e.getMessage();
    }
  }

  private void drainFlow(Flow flow) {
    int capacity = sendBuffer.length - RelayFrames.OVERHEAD;
    while (true) {
      int n;
      try {
        n = flow.channel.read(ByteBuffer.wrap(sendBuffer, RelayFrames.HEADER, capacity));
      } catch (IOException e) {
        lastError = "local WireGuard unreachable: " + e.getMessage();
        return;
      }
      if (n <= 0) {
        return;
      }
      flow.lastActiveNanos = System.nanoTime();
      if (session != null) {
        sendSession(RelayFrames.DATA, flow.id, n);
        bytesFromJetson += n;
      }
    }
  }

  private void sendSession(byte type, int flowId, int payloadLength) {
    int len = session.seal(type, flowId, sendBuffer, payloadLength);
    sendRaw(sendBuffer, len);
  }

  private void sendRaw(byte[] buf, int len) {
    try {
      relayChannel.send(ByteBuffer.wrap(buf, 0, len), config.relay());
    } catch (IOException e) {
      lastError = "send to relay failed: " + e.getMessage();
    }
  }

  private void expireFlows(long now) {
    long idle = FLOW_IDLE.toNanos();
    if (flows.values().removeIf(f -> now - f.lastActiveNanos > idle && f.close())) {
      clients = flows.size();
    }
  }

  private void closeQuietly() {
    try {
      relayChannel.close();
      selector.close();
    } catch (IOException e) {
      log.debug("closing the relay tunnel: {}", e.getMessage());
    }
  }

  /** One client of the Jetson as the relay numbered it, with its own local socket to WireGuard. */
  private final class Flow {
    final int id;
    final DatagramChannel channel;
    long lastActiveNanos;

    Flow(int id) throws IOException {
      this.id = id;
      this.channel = DatagramChannel.open();
      channel.bind(new InetSocketAddress(config.localWireGuard().getAddress(), 0));
      channel.connect(config.localWireGuard());
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ, this);
    }

    boolean close() {
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("closing flow {}: {}", id, e.getMessage());
      }
      return true;
    }
  }
}
