package dev.spoq.relayserver.datapath;

import dev.spoq.relay.protocol.RelayFrames;
import dev.spoq.relay.protocol.SessionCrypto;
import dev.spoq.relay.protocol.WireGuardMessages;
import dev.spoq.relayserver.config.RelayProperties;
import dev.spoq.relayserver.jetsons.JetsonSet;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay datapath. One thread reads the client port and routes WireGuard messages by header
 * (mac1 for initiations, learned receiver indices for the rest) into the Jetson's agent session;
 * one thread reads the agent port (hellos, keepalives, the Jetsons' answers, which leave from the
 * client port); one maintenance thread expires tables once a second. Nothing is decrypted;
 * strangers get no answer. See docs/relay-protocol.md.
 */
public final class Relay implements AutoCloseable {

  /** A live session as reported to the coordinator (C2). */
  public record SessionReport(
      UUID jetsonId,
      String agentAddress,
      Instant upSince,
      int clients,
      long bytesToJetson,
      long bytesFromJetson) {}

  private static final Logger log = LoggerFactory.getLogger(Relay.class);
  private static final Duration PENDING_TIMEOUT = Duration.ofSeconds(10);
  private static final HexFormat HEX = HexFormat.of();

  private final RelayProperties.Limits limits;
  private final RelayProperties properties;
  private final MeterRegistry meters;
  private final SecureRandom random = new SecureRandom();

  private volatile Map<UUID, JetsonState> jetsons = Map.of();
  private volatile JetsonState[] scanOrder = new JetsonState[0];
  private volatile String version;
  private final Object setLock = new Object();

  private final ConcurrentHashMap<Long, AgentSession> sessions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ClientFlow.Key, ClientFlow> flows = new ConcurrentHashMap<>();
  final ConcurrentHashMap<InetSocketAddress, JetsonState> sourceHints = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Integer, IndexEntry> indices = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> helloNonces = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<UUID, Usage> usage = new ConcurrentHashMap<>();
  private final Map<UUID, List<Meter>> jetsonMeters = new HashMap<>();

  private final TokenBuckets initiationLimit;
  private final TokenBuckets newFlowLimit;
  private final TokenBuckets helloLimit;
  private final TokenBuckets.Bucket scanLimit;

  private final EnumMap<DropReason, Counter> drops = new EnumMap<>(DropReason.class);
  private final Counter knownSourceInitiations;
  private final Counter scannedInitiations;
  private final Counter sessionMoves;
  private final Counter hellosAccepted;
  private final Timer scanTimer;
  private final LongAdder forwardedToJetson = new LongAdder();
  private final LongAdder forwardedToClient = new LongAdder();

  private DatagramChannel clientChannel;
  private DatagramChannel agentChannel;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  public Relay(RelayProperties properties, MeterRegistry meters) {
    this.properties = properties;
    this.limits = properties.limits();
    this.meters = meters;
    this.initiationLimit =
        new TokenBuckets(
            limits.initiationsPerSecondPerSource(), limits.initiationBurst(), limits.maxSources());
    this.newFlowLimit =
        new TokenBuckets(
            limits.newFlowsPerSecondPerSource(),
            2.0 * limits.newFlowsPerSecondPerSource(),
            limits.maxSources());
    this.helloLimit =
        new TokenBuckets(
            limits.hellosPerSecondPerSource(),
            2.0 * limits.hellosPerSecondPerSource(),
            limits.maxSources());
    this.scanLimit =
        new TokenBuckets.Bucket(limits.mac1ChecksPerSecond(), limits.mac1ChecksPerSecond());
    for (DropReason reason : DropReason.values()) {
      drops.put(
          reason,
          Counter.builder("spoq.relay.dropped")
              .description("Datagrams dropped silently, by reason")
              .tag("reason", reason.tag())
              .register(meters));
    }
    knownSourceInitiations =
        Counter.builder("spoq.relay.initiations")
            .description("Handshake initiations routed, by how the Jetson was found")
            .tag("route", "known_source")
            .register(meters);
    scannedInitiations =
        Counter.builder("spoq.relay.initiations").tag("route", "scan").register(meters);
    sessionMoves =
        Counter.builder("spoq.relay.agent.moves")
            .description("Agent sessions that followed the Jetson to a new address")
            .register(meters);
    hellosAccepted = Counter.builder("spoq.relay.agent.hellos.accepted").register(meters);
    scanTimer =
        Timer.builder("spoq.relay.mac1.scan")
            .description("Time to find an initiation's Jetson by mac1 over the whole set")
            .publishPercentiles(0.5, 0.99)
            .register(meters);
    FunctionCounter.builder("spoq.relay.forwarded", forwardedToJetson, LongAdder::sum)
        .tag("direction", "to_jetson")
        .register(meters);
    FunctionCounter.builder("spoq.relay.forwarded", forwardedToClient, LongAdder::sum)
        .tag("direction", "to_client")
        .register(meters);
    Gauge.builder("spoq.relay.jetsons", this, r -> r.jetsons.size()).register(meters);
    Gauge.builder("spoq.relay.sessions", this, r -> r.liveSessions()).register(meters);
    Gauge.builder("spoq.relay.flows", flows, Map::size).register(meters);
    Gauge.builder("spoq.relay.indices", indices, Map::size).register(meters);
  }

  /** Binds the client and agent ports and starts the datapath threads. */
  public void start() {
    try {
      clientChannel = open(properties.clientPort());
      agentChannel = open(properties.agentPort());
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot bind the relay ports", e);
    }
    running = true;
    startThread("relay-clients", this::clientLoop);
    startThread("relay-agents", this::agentLoop);
    startThread("relay-maintenance", this::maintenanceLoop);
    log.info(
        "relay listening: clients on {}, agents on {}",
        localAddress(clientChannel),
        localAddress(agentChannel));
  }

  private DatagramChannel open(int port) throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
    channel.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
    channel.bind(new InetSocketAddress(properties.bindAddress(), port));
    return channel;
  }

  private void startThread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  public boolean running() {
    return running;
  }

  /** The version of the Jetson set in use, null before the first one arrived. */
  public String version() {
    return version;
  }

  public InetSocketAddress clientAddress() {
    return localAddress(clientChannel);
  }

  public InetSocketAddress agentAddress() {
    return localAddress(agentChannel);
  }

  private static InetSocketAddress localAddress(DatagramChannel channel) {
    try {
      return channel == null ? null : (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- Jetson set

  /**
   * Replaces the Jetson set. A Jetson that left the set, or whose keys changed, loses its session,
   * flows and indices at once.
   */
  public void apply(JetsonSet set) {
    synchronized (setLock) {
      Map<UUID, JetsonState> old = jetsons;
      Map<UUID, JetsonState> next = new HashMap<>();
      for (JetsonSet.Jetson j : set.jetsons()) {
        JetsonState existing = old.get(j.jetsonId());
        if (existing != null && existing.sameKeys(j.publicKey(), j.sessionKey())) {
          next.put(j.jetsonId(), existing);
        } else {
          Usage u = usage.computeIfAbsent(j.jetsonId(), id -> new Usage());
          next.put(j.jetsonId(), new JetsonState(j.jetsonId(), j.publicKey(), j.sessionKey(), u));
        }
      }
      List<JetsonState> gone = new ArrayList<>();
      for (JetsonState state : old.values()) {
        if (next.get(state.id) != state) {
          gone.add(state);
        }
      }
      jetsons = Map.copyOf(next);
      scanOrder = next.values().toArray(new JetsonState[0]);
      version = set.version();
      for (JetsonState state : gone) {
        cutOff(state);
      }
      for (JetsonState state : next.values()) {
        jetsonMeters.computeIfAbsent(state.id, id -> registerJetsonMeters(state.usage, id));
      }
      if (!gone.isEmpty()) {
        indices.values().removeIf(e -> e.jetson.removed);
      }
      log.info(
          "Jetson set {} in use: {} Jetsons ({} cut off)", set.version(), next.size(), gone.size());
    }
  }

  private void cutOff(JetsonState state) {
    state.removed = true;
    AgentSession live = state.session;
    AgentSession pending = state.pending;
    state.session = null;
    state.pending = null;
    if (live != null) {
      sessions.remove(live.id);
      log.info("session of Jetson {} closed: it left the set or its keys changed", state.id);
    }
    if (pending != null) {
      sessions.remove(pending.id);
    }
    dropFlows(state);
    if (!jetsonsContain(state.id)) {
      List<Meter> ms = jetsonMeters.remove(state.id);
      if (ms != null) {
        ms.forEach(meters::remove);
      }
    }
  }

  private boolean jetsonsContain(UUID id) {
    return jetsons.containsKey(id);
  }

  private List<Meter> registerJetsonMeters(Usage u, UUID id) {
    return List.of(
        FunctionCounter.builder("spoq.relay.jetson.bytes", u.toJetson, LongAdder::sum)
            .description("WireGuard bytes relayed per Jetson")
            .tag("jetson", id.toString())
            .tag("direction", "to_jetson")
            .register(meters),
        FunctionCounter.builder("spoq.relay.jetson.bytes", u.fromJetson, LongAdder::sum)
            .tag("jetson", id.toString())
            .tag("direction", "from_jetson")
            .register(meters));
  }

  private void dropFlows(JetsonState state) {
    for (ClientFlow flow : state.flows.values()) {
      flows.remove(new ClientFlow.Key(flow.client, state.id), flow);
      sourceHints.remove(flow.client, state);
    }
    state.flows.clear();
  }

  // ---------------------------------------------------------------- client port

  private void clientLoop() {
    byte[] buf = new byte[65536];
    ByteBuffer bb = ByteBuffer.wrap(buf);
    while (running) {
      bb.clear().position(RelayFrames.HEADER).limit(buf.length - RelayFrames.TAG);
      InetSocketAddress from;
      try {
        from = (InetSocketAddress) clientChannel.receive(bb);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.debug("client port receive: {}", e.getMessage());
        continue;
      }
      try {
        onClientDatagram(buf, bb.position() - RelayFrames.HEADER, from, System.nanoTime());
      } catch (RuntimeException e) {
        log.warn("client datagram from {} failed: {}", from, e.toString());
      }
    }
  }

  /** Routes one client datagram placed at {@code buf[HEADER..HEADER+len)}. */
  void onClientDatagram(byte[] buf, int len, InetSocketAddress from, long now) {
    int off = RelayFrames.HEADER;
    int type = WireGuardMessages.type(buf, off, len);
    JetsonState jetson;
    if (type == 0) {
      drop(DropReason.MALFORMED);
      return;
    } else if (type == WireGuardMessages.INITIATION) {
      if (!initiationLimit.tryAcquire(from.getAddress(), now)) {
        drop(DropReason.RATE_SOURCE);
        return;
      }
      jetson = routeInitiation(buf, off, from, now);
      if (jetson == null) {
        return;
      }
    } else {
      IndexEntry entry = indices.get(WireGuardMessages.receiverIndex(buf, off, type));
      if (entry == null || entry.jetson.removed) {
        drop(DropReason.NO_ROUTE);
        return;
      }
      entry.lastUsedNanos = now;
      jetson = entry.jetson;
    }
    AgentSession session = jetson.session;
    if (session == null) {
      drop(DropReason.NO_SESSION);
      return;
    }
    ClientFlow flow = flow(jetson, from, now);
    if (flow == null) {
      return;
    }
    int frameLength = session.crypto.seal(RelayFrames.DATA, flow.id, buf, len);
    send(agentChannel, buf, 0, frameLength, session.agentAddress);
    jetson.usage.toJetson.add(len);
    forwardedToJetson.increment();
  }

  /**
   * The Jetson an initiation is for: a known source is checked against its own Jetson first, only
   * unknown sources (or a miss) scan the set, under the relay-wide scan rate.
   */
  JetsonState routeInitiation(byte[] buf, int off, InetSocketAddress from, long now) {
    JetsonState hint = sourceHints.get(from);
    if (hint != null && !hint.removed && hint.mac1.matches(buf, off)) {
      knownSourceInitiations.increment();
      return hint;
    }
    JetsonState[] candidates = scanOrder;
    if (!scanLimit.tryAcquire(now, candidates.length)) {
      drop(DropReason.RATE_GLOBAL);
      return null;
    }
    long start = System.nanoTime();
    JetsonState found = null;
    for (JetsonState candidate : candidates) {
      if (candidate.mac1.matches(buf, off)) {
        found = candidate;
        break;
      }
    }
    scanTimer.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
    scannedInitiations.increment();
    if (found == null) {
      drop(DropReason.NO_MATCH);
    }
    return found;
  }

  private ClientFlow flow(JetsonState jetson, InetSocketAddress from, long now) {
    ClientFlow.Key key = new ClientFlow.Key(from, jetson.id);
    ClientFlow flow = flows.get(key);
    if (flow != null) {
      flow.lastActiveNanos = now;
      return flow;
    }
    if (flows.size() >= limits.maxFlows()) {
      drop(DropReason.TABLE_FULL);
      return null;
    }
    if (!newFlowLimit.tryAcquire(from.getAddress(), now)) {
      drop(DropReason.RATE_SOURCE);
      return null;
    }
    flow = new ClientFlow(jetson.nextFlowId.getAndIncrement(), jetson, from, now);
    flows.put(key, flow);
    jetson.flows.put(flow.id, flow);
    sourceHints.put(from, jetson);
    return flow;
  }

  // ---------------------------------------------------------------- agent port

  private void agentLoop() {
    byte[] buf = new byte[65536];
    ByteBuffer bb = ByteBuffer.wrap(buf);
    while (running) {
      bb.clear();
      InetSocketAddress from;
      try {
        from = (InetSocketAddress) agentChannel.receive(bb);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.debug("agent port receive: {}", e.getMessage());
        continue;
      }
      try {
        onAgentDatagram(buf, bb.position(), from, System.nanoTime());
      } catch (RuntimeException e) {
        log.warn("agent datagram from {} failed: {}", from, e.toString());
      }
    }
  }

  void onAgentDatagram(byte[] buf, int len, InetSocketAddress from, long now) {
    byte type = RelayFrames.type(buf, len);
    if (type == RelayFrames.HELLO) {
      onHello(buf, from, now);
      return;
    }
    if (type != RelayFrames.DATA && type != RelayFrames.KEEPALIVE) {
      drop(DropReason.MALFORMED);
      return;
    }
    AgentSession session = sessions.get(RelayFrames.sessionId(buf));
    if (session == null || !session.crypto.open(buf, len)) {
      drop(DropReason.UNAUTHENTICATED);
      return;
    }
    JetsonState jetson = session.jetson;
    if (jetson.session != session && !promote(session)) {
      drop(DropReason.UNAUTHENTICATED);
      return;
    }
    session.lastHeardNanos = now;
    if (!from.equals(session.agentAddress)) {
      log.info(
          "agent session of Jetson {} moved from {} to {}", jetson.id, session.agentAddress, from);
      session.agentAddress = from;
      sessionMoves.increment();
    }
    if (type == RelayFrames.KEEPALIVE) {
      int n = session.crypto.seal(RelayFrames.KEEPALIVE_ACK, 0, buf, 0);
      send(agentChannel, buf, 0, n, from);
      return;
    }
    ClientFlow flow = jetson.flows.get(RelayFrames.flowId(buf));
    if (flow == null) {
      drop(DropReason.NO_FLOW);
      return;
    }
    int payload = len - RelayFrames.OVERHEAD;
    int off = RelayFrames.HEADER;
    int wgType = WireGuardMessages.type(buf, off, payload);
    if (wgType == 0) {
      drop(DropReason.MALFORMED);
      return;
    }
    if (wgType == WireGuardMessages.INITIATION || wgType == WireGuardMessages.RESPONSE) {
      learnIndex(WireGuardMessages.senderIndex(buf, off), jetson, now);
    }
    flow.lastActiveNanos = now;
    send(clientChannel, buf, off, payload, flow.client);
    jetson.usage.fromJetson.add(payload);
    forwardedToClient.increment();
  }

  /** A pending session becomes the Jetson's session on its first authenticated frame. */
  private boolean promote(AgentSession session) {
    JetsonState jetson = session.jetson;
    synchronized (jetson) {
      if (jetson.removed || jetson.pending != session) {
        return false;
      }
      AgentSession old = jetson.session;
      jetson.pending = null;
      session.upSince = Instant.now();
      jetson.session = session;
      if (old != null) {
        sessions.remove(old.id);
        dropFlows(jetson);
      }
    }
    log.info("agent session of Jetson {} up from {}", jetson.id, session.agentAddress);
    return true;
  }

  private void onHello(byte[] buf, InetSocketAddress from, long now) {
    if (!helloLimit.tryAcquire(from.getAddress(), now)) {
      drop(DropReason.RATE_SOURCE);
      return;
    }
    RelayFrames.Hello hello = RelayFrames.Hello.peek(buf);
    JetsonState jetson = jetsons.get(hello.jetsonId());
    if (jetson == null || !RelayFrames.Hello.verify(buf, jetson.sessionKey)) {
      drop(DropReason.HELLO_REFUSED);
      return;
    }
    long skew = Math.abs(System.currentTimeMillis() - hello.timestampMillis());
    if (skew > limits.helloClockSkew().toMillis()) {
      log.info("hello of Jetson {} refused: clock {} ms off", jetson.id, skew);
      drop(DropReason.HELLO_REFUSED);
      return;
    }
    if (helloNonces.size() >= limits.maxSources()) {
      drop(DropReason.TABLE_FULL);
      return;
    }
    String nonceKey = jetson.id + ":" + HEX.formatHex(hello.agentNonce());
    long expires = now + 2 * limits.helloClockSkew().toNanos();
    if (helloNonces.putIfAbsent(nonceKey, expires) != null) {
      log.info("hello of Jetson {} refused: replayed", jetson.id);
      drop(DropReason.HELLO_REFUSED);
      return;
    }
    long sessionId;
    do {
      sessionId = random.nextLong();
    } while (sessionId == 0 || sessions.containsKey(sessionId));
    byte[] relayNonce = new byte[RelayFrames.NONCE_SIZE];
    random.nextBytes(relayNonce);
    AgentSession pending =
        new AgentSession(
            sessionId,
            jetson,
            SessionCrypto.relay(jetson.sessionKey, sessionId, hello.agentNonce(), relayNonce),
            from,
            now);
    synchronized (jetson) {
      if (jetson.removed) {
        return;
      }
      AgentSession previous = jetson.pending;
      if (previous != null) {
        sessions.remove(previous.id);
      }
      jetson.pending = pending;
      sessions.put(sessionId, pending);
    }
    hellosAccepted.increment();
    byte[] ack =
        new RelayFrames.HelloAck(sessionId, relayNonce, hello.agentNonce())
            .encode(jetson.sessionKey);
    send(agentChannel, ack, 0, ack.length, from);
  }

  private void learnIndex(int index, JetsonState jetson, long now) {
    IndexEntry entry = indices.get(index);
    if (entry != null && entry.jetson == jetson) {
      entry.lastUsedNanos = now;
      return;
    }
    if (entry != null && !entry.jetson.removed && now - entry.lastUsedNanos < idleNanos()) {
      // Another Jetson's live index: first owner keeps it, so no Jetson can claim others' clients.
      drop(DropReason.TABLE_FULL);
      return;
    }
    if (indices.size() >= limits.maxIndices()
        || jetson.indices.get() >= limits.maxIndicesPerJetson()) {
      drop(DropReason.TABLE_FULL);
      return;
    }
    IndexEntry replaced = indices.put(index, new IndexEntry(jetson, now));
    if (replaced != null) {
      replaced.jetson.indices.decrementAndGet();
    }
    jetson.indices.incrementAndGet();
  }

  private long idleNanos() {
    return limits.indexIdle().toNanos();
  }

  // ---------------------------------------------------------------- maintenance

  private void maintenanceLoop() {
    while (running) {
      try {
        Thread.sleep(1000);
        expire(System.nanoTime());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("relay maintenance failed", e);
      }
    }
  }

  void expire(long now) {
    long flowIdle = limits.flowIdle().toNanos();
    for (ClientFlow flow : flows.values()) {
      if (now - flow.lastActiveNanos > flowIdle) {
        flows.remove(new ClientFlow.Key(flow.client, flow.jetson.id), flow);
        flow.jetson.flows.remove(flow.id, flow);
        sourceHints.remove(flow.client, flow.jetson);
      }
    }
    long indexIdle = idleNanos();
    indices
        .entrySet()
        .removeIf(
            e -> {
              boolean stale =
                  e.getValue().jetson.removed || now - e.getValue().lastUsedNanos > indexIdle;
              if (stale) {
                e.getValue().jetson.indices.decrementAndGet();
              }
              return stale;
            });
    long agentIdle = limits.agentIdle().toNanos();
    for (AgentSession session : sessions.values()) {
      JetsonState jetson = session.jetson;
      boolean live = jetson.session == session;
      if (live && now - session.lastHeardNanos > agentIdle) {
        synchronized (jetson) {
          if (jetson.session == session) {
            jetson.session = null;
            dropFlows(jetson);
          }
        }
        sessions.remove(session.id);
        log.info(
            "agent session of Jetson {} expired: no frame for {}", jetson.id, limits.agentIdle());
      } else if (!live && now - session.createdNanos > PENDING_TIMEOUT.toNanos()) {
        synchronized (jetson) {
          if (jetson.pending == session) {
            jetson.pending = null;
          }
        }
        sessions.remove(session.id);
      }
    }
    helloNonces.values().removeIf(expires -> now - expires > 0);
    initiationLimit.expire(now);
    newFlowLimit.expire(now);
    helloLimit.expire(now);
  }

  // ---------------------------------------------------------------- reporting

  public int liveSessions() {
    int n = 0;
    for (JetsonState state : scanOrder) {
      if (state.session != null) {
        n++;
      }
    }
    return n;
  }

  /** The live sessions with cumulative usage since this relay started. */
  public List<SessionReport> sessions() {
    List<SessionReport> out = new ArrayList<>();
    for (JetsonState state : scanOrder) {
      AgentSession s = state.session;
      if (s != null) {
        InetSocketAddress a = s.agentAddress;
        out.add(
            new SessionReport(
                state.id,
                a.getAddress().getHostAddress() + ":" + a.getPort(),
                s.upSince,
                state.flows.size(),
                state.usage.toJetson.sum(),
                state.usage.fromJetson.sum()));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private void send(
      DatagramChannel channel, byte[] buf, int off, int len, InetSocketAddress target) {
    try {
      channel.send(ByteBuffer.wrap(buf, off, len), target);
    } catch (IOException e) {
      log.debug("send to {} failed: {}", target, e.getMessage());
    }
  }

  private void drop(DropReason reason) {
    drops.get(reason).increment();
  }

  int flowCount() {
    return flows.size();
  }

  @Override
  public void close() {
    running = false;
    for (DatagramChannel channel : new DatagramChannel[] {clientChannel, agentChannel}) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException e) {
          log.debug("closing relay port: {}", e.getMessage());
        }
      }
    }
    threads.forEach(Thread::interrupt);
  }

  /** A receiver index chosen by a Jetson's WireGuard, learned from what it sent. */
  static final class IndexEntry {
    final JetsonState jetson;
    volatile long lastUsedNanos;

    IndexEntry(JetsonState jetson, long now) {
      this.jetson = jetson;
      this.lastUsedNanos = now;
    }
  }
}
