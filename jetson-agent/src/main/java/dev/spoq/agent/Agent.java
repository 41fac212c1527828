package dev.spoq.agent;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.ddns.DdnsClient;
import dev.spoq.agent.health.PathMonitor;
import dev.spoq.agent.publicip.PublicIpMonitor;
import dev.spoq.agent.registry.ControlPlaneException;
import dev.spoq.agent.registry.Peer;
import dev.spoq.agent.registry.PeerSet;
import dev.spoq.agent.registry.RegistryApi;
import dev.spoq.agent.relay.FrpcLocalPort;
import dev.spoq.agent.relay.FrpcSupervisor;
import dev.spoq.agent.relay.RelayAssignment;
import dev.spoq.agent.relay.RelayClient;
import dev.spoq.agent.relay.SpoqRelaySession;
import dev.spoq.agent.state.AgentState;
import dev.spoq.agent.state.Secrets;
import dev.spoq.agent.status.RegistryReport;
import dev.spoq.agent.status.ReportOutbox;
import dev.spoq.agent.status.StatusReport;
import dev.spoq.agent.status.StatusServer;
import dev.spoq.agent.systemd.SdNotify;
import dev.spoq.agent.upnp.UpnpMapper;
import dev.spoq.agent.upnp.UpnpPorts;
import dev.spoq.agent.util.CommandRunner;
import dev.spoq.agent.util.Json;
import dev.spoq.agent.util.RetryBackoff;
import dev.spoq.agent.util.SecureFiles;
import dev.spoq.agent.wireguard.WgDump;
import dev.spoq.agent.wireguard.WireGuardManager;
import dev.spoq.common.wireguard.X25519;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The daemon ({@code spoq run}): WireGuard up first (from the cached peer set when the control
 * plane is unreachable), then periodic loops for peer sync, UPnP, public IP + DDNS, the relay,
 * health/failover and status reports. Every loop survives failures of its dependencies.
 */
public class Agent implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  static final String VERSION = "0.1.0";
  static final Duration LONG_POLL_RETRY_AFTER = Duration.ofMinutes(5);

  private final AgentConfig config;
  private final AgentState state;
  private final String token;
  private final Clock clock;
  private final RegistryApi registry;
  private final WireGuardManager wireguard;
  private final UpnpMapper upnp;
  private final PublicIpMonitor publicIp;
  private final DdnsClient ddns;
  private final RelayClient relayClient;
  private final FrpcSupervisor frpc;
  private final SpoqRelaySession spoqRelay;
  private final PathMonitor pathMonitor;
  private final ReportOutbox outbox;
  private final ScheduledExecutorService loops;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Map<String, Long> lastRx = new HashMap<>();
  private final RetryBackoff relayRetry;
  private final Map<String, Instant> lastDirectActivity = new HashMap<>();
  private StatusServer statusServer;
  private Thread peerWatcher;
  private volatile PeerSet peers = PeerSet.empty();
  private volatile RelayAssignment assignment;
  private volatile String relayError;
  private volatile Map<String, Long> relayLatency = Map.of();
  private volatile Instant lastHealthTick = Instant.EPOCH;
  private volatile Instant lastReport;
  private volatile String registryError;
  private volatile boolean closed;
  private final Instant startedAt;

  public Agent(AgentConfig config) {
    this(config, Clock.systemUTC(), new CommandRunner(config.wgNetns()));
  }

  public Agent(AgentConfig config, Clock clock, CommandRunner commands) {
    this.config = config;
    this.clock = clock;
    this.startedAt = clock.instant();
    this.state = AgentState.require(config.stateFile());
    X25519.KeyPair keys = Secrets.requireKey(config.privateKeyFile());
    if (!keys.publicKey().base64().equals(state.publicKey())) {
      throw new dev.spoq.agent.config.ConfigException(
          "the private key at "
              + config.privateKeyFile()
              + " does not match the enrolled public key; restore the original key or re-enroll");
    }
    this.token = Secrets.requireToken(config.tokenFile());
    this.registry = new RegistryApi(config.registryUrl(), config.httpTimeout());
    java.util.Optional<UpnpPorts> savedPorts = UpnpPorts.load(config);
    int listenPort = savedPorts.map(UpnpPorts::internal).orElse(config.wgListenPort());
    this.wireguard = new WireGuardManager(config, keys, commands, listenPort);
    this.upnp = new UpnpMapper(config, clock, savedPorts, this::moveListenPort);
    this.publicIp = new PublicIpMonitor(config, upnp, clock);
    this.ddns = new DdnsClient(config, state.subdomain(), state.fqdn(), token, clock);
    this.relayClient = new RelayClient(config, token);
    this.frpc =
        new FrpcSupervisor(
            config.frpcBinary(),
            config.frpcConfigFile(),
            config.frpcAdminPort(),
            config.relayRestartInitial(),
            config.relayRestartMax(),
            clock);
    this.spoqRelay =
        new SpoqRelaySession(
            java.util.UUID.fromString(state.jetsonId()), listenPort, config.spoqRelayStateFile());
    this.relayRetry =
        new RetryBackoff(
            Duration.ofSeconds(1), config.relayAssignmentInterval(), new java.util.Random());
    this.pathMonitor =
        new PathMonitor(
            clock, config.failThreshold(), config.failbackAfter(), config.failbackMax());
    this.outbox = new ReportOutbox(config.outboxDir(), config.reportQueueMax());
    this.loops =
        Executors.newScheduledThreadPool(
            6,
            r -> {
              Thread t = new Thread(r, "agent-loop");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts everything; returns once WireGuard is up and the loops are scheduled. */
  public void start() {
    log.info(
        "Spoq agent starting for {} (Jetson {}), state in {}",
        state.fqdn(),
        state.jetsonId(),
        config.stateDir());
    peers = PeerSet.loadCache(config.peersCacheFile()).orElse(PeerSet.empty());
    try {
      fetchPeers();
    } catch (ControlPlaneException e) {
      log.warn(
          "registry unavailable at start ({}); bringing WireGuard up with {} cached peer(s)",
          e.getMessage(),
          peers.peers().size());
    }
    wireguard.up(peers.peers());
    statusServer = new StatusServer(this, config);
    statusServer.start();

    peerWatcher = new Thread(this::watchPeers, "agent-peers");
    peerWatcher.setDaemon(true);
    peerWatcher.start();
    loops.scheduleWithFixedDelay(
        guarded("UPnP maintenance", this::maintainUpnp), 0, 1000, TimeUnit.MILLISECONDS);
    // A fixed rate (not a delay after the previous check): a new address is seen within one
    // interval however long a check takes.
    loops.scheduleAtFixedRate(
        guarded("public IP check", this::checkPublicIp),
        0,
        Math.max(100, config.publicIpInterval().toMillis()),
        TimeUnit.MILLISECONDS);
    every(config.healthInterval(), this::healthTick);
    every(config.reportInterval(), this::report);
    if (config.relayEnabled()) {
      startRelayFromLastAssignment();
      loops.schedule(this::relayAssignmentTurn, 0, TimeUnit.MILLISECONDS);
      long latencyMillis = Math.max(1000, config.relayLatencyInterval().toMillis());
      loops.scheduleWithFixedDelay(
          guarded("relay latency", this::measureLatency),
          Math.min(30_000, latencyMillis),
          latencyMillis,
          TimeUnit.MILLISECONDS);
    }
    long watchdog = SdNotify.watchdogMicros();
    if (config.systemdWatchdog() && watchdog > 0) {
      loops.scheduleAtFixedRate(
          this::watchdog, 0, Math.max(1000, watchdog / 2000), TimeUnit.MILLISECONDS);
    }
    SdNotify.send("READY=1\nSTATUS=WireGuard " + config.wgInterface() + " up");
    log.info("Spoq agent ready; local status on 127.0.0.1:{}", statusServer.port());
  }

  public void awaitShutdown() throws InterruptedException {
    stopped.await();
  }

  private void every(Duration period, Runnable task) {
    loops.scheduleWithFixedDelay(
        guarded(task.toString(), task), 0, Math.max(100, period.toMillis()), TimeUnit.MILLISECONDS);
  }

  private Runnable guarded(String name, Runnable task) {
    return () -> {
      if (closed) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("{} failed: {}", name, e.getMessage() == null ? e.toString() : e.getMessage());
      }
    };
  }

  // ---- peers -------------------------------------------------------------------------------

  private boolean fetchPeers() {
    return takePeers(registry.peers(token, peers.etag()));
  }

  private boolean takePeers(java.util.Optional<PeerSet> fresh) {
    registryError = null;
    if (fresh.isEmpty()) {
      return false;
    }
    boolean changed = !fresh.get().peers().equals(peers.peers());
    peers = fresh.get();
    peers.saveCache(config.peersCacheFile());
    return changed;
  }

  void syncPeers() {
    try {
      applyPeers(fetchPeers());
    } catch (ControlPlaneException e) {
      registryError = e.getMessage();
      log.warn("peer sync skipped: {}", e.getMessage());
    }
  }

  private void applyPeers(boolean changed) {
    if (changed || !peers.peers().equals(wireguard.appliedPeers())) {
      wireguard.sync(peers.peers());
      log.info("peer set applied: {} peer(s) (etag {})", peers.peers().size(), peers.etag());
    }
  }

  /**
   * Peer changes are pushed (contract C4): the registry holds a long-poll of {@code peers.wait} and
   * answers as soon as the set changes. When the long-poll fails, or the registry does not hold it
   * (an answer much sooner than the wait without a change), the agent falls back to today's ETag
   * poll every {@code peers.poll-interval} for {@link #LONG_POLL_RETRY_AFTER} before trying again.
   */
  private void watchPeers() {
    Instant pollUntil = config.peerWait().isZero() ? Instant.MAX : Instant.MIN;
    while (!closed && !Thread.currentThread().isInterrupted()) {
      if (clock.instant().isBefore(pollUntil)) {
        syncPeers();
        pause(config.peerPollInterval());
        continue;
      }
      long start = System.nanoTime();
      try {
        java.util.Optional<PeerSet> fresh = registry.peers(token, peers.etag(), config.peerWait());
        applyPeers(takePeers(fresh));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        if (fresh.isEmpty() && took.compareTo(config.peerWait().dividedBy(2)) < 0) {
          log.info(
              "registry did not hold the peer long-poll ({} ms); polling every {} s for {} min",
              took.toMillis(),
              config.peerPollInterval().toSeconds(),
              LONG_POLL_RETRY_AFTER.toMinutes());
          pollUntil = clock.instant().plus(LONG_POLL_RETRY_AFTER);
        }
      } catch (ControlPlaneException e) {
        if (closed) {
          return;
        }
        registryError = e.getMessage();
        log.warn(
            "peer long-poll failed ({}); polling every {} s for {} min",
            e.getMessage(),
            config.peerPollInterval().toSeconds(),
            LONG_POLL_RETRY_AFTER.toMinutes());
        pollUntil = clock.instant().plus(LONG_POLL_RETRY_AFTER);
        pause(config.peerPollInterval());
      } catch (RuntimeException e) {
        log.warn("peer sync failed: {}", e.toString());
        pause(config.peerPollInterval());
      }
    }
  }

  private void pause(Duration d) {
    try {
      Thread.sleep(Math.max(100, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- UPnP --------------------------------------------------------------------------------

  /**
   * One maintenance turn; a change between active and not active is reported at once. When the
   * mapping becomes active or the gateway's external address changes, the public address is
   * observed at once (the last observation may predate the gateway's discovery), not at the next
   * {@code publicip.interval}.
   */
  void maintainUpnp() {
    UpnpMapper.Snapshot before = upnp.snapshot();
    boolean wasActive = "active".equals(before.status());
    upnp.maintain();
    UpnpMapper.Snapshot after = upnp.snapshot();
    boolean active = "active".equals(after.status());
    if (active
        && (!wasActive || !java.util.Objects.equals(before.externalIp(), after.externalIp()))) {
      log.debug(
          "UPnP mapping active with external address {}: checking the public IP now",
          after.externalIp());
      try {
        loops.execute(guarded("public IP check", this::checkPublicIp));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // shutting down
      }
    }
    if (wasActive != active && lastReport != null) {
      report();
    }
  }

  /**
   * The gateway requires equal internal and external ports (UPnP 724): WireGuard moves to the
   * external port, and the relay paths that hand datagrams to it follow.
   */
  private boolean moveListenPort(int port) {
    if (!wireguard.moveListenPort(port)) {
      return false;
    }
    spoqRelay.retarget(port);
    String frpcConfig = frpc.currentConfig();
    if (frpcConfig != null) {
      frpc.apply(FrpcLocalPort.apply(frpcConfig, port));
    }
    return true;
  }

  // ---- public IP and DNS ------------------------------------------------------------------

  void checkPublicIp() {
    PublicIpMonitor.Observation o = publicIp.observe();
    ddns.onPublicIp(o.address());
    ddns.checkResolution();
  }

  // ---- relay -------------------------------------------------------------------------------

  void refreshRelay() {
    if (!fetchRelayAssignment()) {
      log.warn("relay assignment unavailable: {}", relayError);
    }
  }

  /**
   * The assignment loop: every {@code relay.assignment-interval} after a success; after a failure
   * (coordinator down, unreachable, refusing) again after a capped exponential backoff with jitter
   * (1 s, 2 s, 4 s … up to the interval), so a coordinator that comes back is seen within seconds.
   */
  private void relayAssignmentTurn() {
    if (closed) {
      return;
    }
    Duration next = config.relayAssignmentInterval();
    try {
      if (fetchRelayAssignment()) {
        if (relayRetry.failures() > 0) {
          log.info("relay assignment fetched after {} failed attempt(s)", relayRetry.failures());
        }
        relayRetry.reset();
      } else {
        next = relayRetry.next();
        log.warn(
            "relay assignment unavailable ({}); retry {} in {} ms",
            relayError,
            relayRetry.failures(),
            next.toMillis());
      }
    } catch (RuntimeException e) {
      next = relayRetry.next();
      log.warn("relay assignment failed: {}; retry in {} ms", e, next.toMillis());
    } finally {
      try {
        loops.schedule(
            this::relayAssignmentTurn, Math.max(100, next.toMillis()), TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // shutting down
      }
    }
  }

  /** Fetches and applies the assignment; false (and {@code relayError} set) when unavailable. */
  private boolean fetchRelayAssignment() {
    try {
      RelayAssignment a = relayClient.assignment();
      assignment = a;
      relayError = null;
      if (a.spoq()) {
        frpc.stop();
        spoqRelay.apply(a);
      } else {
        spoqRelay.stop();
        deleteQuietly(config.spoqRelayStateFile());
        writeRelayCa(a);
        frpc.apply(FrpcLocalPort.apply(a.frpcConfig(), wireguard.listenPort()));
      }
      return true;
    } catch (ControlPlaneException | IllegalStateException e) {
      relayError = e.getMessage();
      return false;
    }
  }

  /**
   * The relay CA that frpc verifies frps against (when the coordinator ships one). Written only to
   * the agent's own {@code <state>/relay-ca.pem}: a path from the network is never trusted.
   */
  private void writeRelayCa(RelayAssignment a) {
    if (a.relayCaPem() == null) {
      return;
    }
    java.nio.file.Path target = config.stateDir().resolve("relay-ca.pem").toAbsolutePath();
    if (a.relayCaFile() != null
        && !java.nio.file.Path.of(a.relayCaFile()).toAbsolutePath().normalize().equals(target)) {
      log.warn("relay CA path {} is not {}; not written", a.relayCaFile(), target);
      return;
    }
    if (!a.relayCaPem().strip().startsWith("-----BEGIN CERTIFICATE-----")) {
      log.warn("relay CA is not a PEM certificate; not written");
      return;
    }
    SecureFiles.write(target, a.relayCaPem(), false);
  }

  private static void deleteQuietly(java.nio.file.Path file) {
    try {
      java.nio.file.Files.deleteIfExists(file);
    } catch (java.io.IOException e) {
      log.warn("cannot delete {}: {}", file, e.getMessage());
    }
  }

  /** The relay must work while the coordinator is down: reuse the last assignment it gave us. */
  private void startRelayFromLastAssignment() {
    if (spoqRelay.resumeFromDisk()) {
      return;
    }
    try {
      if (java.nio.file.Files.isRegularFile(config.frpcConfigFile())) {
        log.info("starting frpc with the last relay assignment ({})", config.frpcConfigFile());
        frpc.apply(
            FrpcLocalPort.apply(
                java.nio.file.Files.readString(config.frpcConfigFile()), wireguard.listenPort()));
      }
    } catch (java.io.IOException | RuntimeException e) {
      log.warn("cannot reuse {}: {}", config.frpcConfigFile(), e.getMessage());
    }
  }

  private void measureLatency() {
    RelayAssignment a = assignment;
    if (a != null && !a.regions().isEmpty()) {
      relayLatency = relayClient.measureAndReport(a.regions());
    }
  }

  // ---- health ------------------------------------------------------------------------------

  void healthTick() {
    lastHealthTick = clock.instant();
    String problem = directProblem();
    SpoqRelaySession.Snapshot session = spoqRelay.snapshot();
    boolean relayUsable =
        config.relayEnabled()
            && (session.open() ? session.up() : frpc.snapshot().running() || assignment != null);
    PathMonitor.Transition t = pathMonitor.update(problem, relayUsable);
    if (t != null) {
      log.warn("path {} -> {}: {}", t.from().wire(), t.to().wire(), t.reason());
      if (t.to() == PathMonitor.Path.RELAY && session.open()) {
        // DNS now sends clients to the relay-server, so silence on the direct path is expected:
        // it counts again only after a client used the direct path (else failback never comes).
        lastDirectActivity.clear();
      }
      if (t.to() == PathMonitor.Path.RELAY && !session.open() && !frpc.snapshot().running()) {
        refreshRelay();
      }
    }
    followPathInDns(session);
    if (t != null) {
      report();
    }
  }

  /**
   * Contract C5: the name points at the relay-server while the path is the relay and its session is
   * up; at the home address otherwise (failback keeps the path monitor's hysteresis).
   */
  private void followPathInDns(SpoqRelaySession.Snapshot session) {
    boolean onRelay = pathMonitor.path() == PathMonitor.Path.RELAY && session.up();
    ddns.followRelay(onRelay ? session.relayAddress() : null);
  }

  /** Null when the direct path looks healthy; otherwise the reason. */
  String directProblem() {
    if (config.upnpEnabled()) {
      UpnpMapper.Snapshot u = upnp.snapshot();
      if ("pending".equals(u.status())) {
        return null; // first discovery still running: no verdict yet
      }
      if (!"active".equals(u.status())) {
        return "UPnP mapping " + u.status() + (u.error() == null ? "" : " (" + u.error() + ")");
      }
      if (!upnp.refreshedWithinLease()) {
        return "UPnP mapping not refreshed within its lease";
      }
      if (u.externalPort() != null && u.externalPort() != config.upnpExternalPort()) {
        // Client configs name port upnp.external-port (51820): a stock app cannot dial another.
        return "UPnP mapped external port "
            + u.externalPort()
            + ", but client configs dial "
            + config.upnpExternalPort();
      }
    }
    DdnsClient.Snapshot d = ddns.snapshot();
    if (config.requireDnsMatch() && Boolean.FALSE.equals(d.matches())) {
      return "DNS " + d.subdomain() + " resolves to " + d.resolvesTo() + ", not " + d.pointsTo();
    }
    return trafficProblem();
  }

  /**
   * Direct WireGuard liveness: a peer whose endpoint is not loopback (loopback = via frpc) showed a
   * handshake or received bytes recently. Silence counts only after direct traffic was seen.
   */
  private String trafficProblem() {
    var dump = wireguard.dump();
    if (dump.isEmpty()) {
      return "WireGuard interface " + config.wgInterface() + " is down";
    }
    Instant now = clock.instant();
    for (WgDump.PeerStats p : dump.get().peers()) {
      boolean direct = p.endpoint() != null && !p.endpoint().startsWith("127.");
      Long previous = lastRx.put(p.publicKey(), p.transferRx());
      boolean recentHandshake =
          p.latestHandshake() != null
              && p.latestHandshake().plus(config.handshakeMaxAge()).isAfter(now);
      boolean activity = previous == null ? recentHandshake : p.transferRx() > previous;
      if (direct && activity) {
        lastDirectActivity.put(p.publicKey(), now);
      }
    }
    if (lastDirectActivity.isEmpty()) {
      return null;
    }
    Instant newest = lastDirectActivity.values().stream().max(Instant::compareTo).orElseThrow();
    Duration silent = Duration.between(newest, now);
    if (silent.compareTo(config.handshakeMaxAge()) > 0) {
      return "no direct WireGuard traffic for " + silent.toSeconds() + " s";
    }
    return null;
  }

  // ---- status ------------------------------------------------------------------------------

  public ObjectNode statusReport() {
    return StatusReport.build(
        clock.instant(),
        state,
        wireguard,
        peers.peers(),
        upnp.snapshot(),
        publicIp.last().orElse(null),
        ddns.snapshot(),
        frpc.snapshot(),
        spoqRelay.snapshot(),
        assignment,
        relayError,
        relayLatency,
        pathMonitor,
        registryError,
        outbox.size(),
        lastReport);
  }

  /** Queues the current report and sends everything queued. */
  public void report() {
    ObjectNode report = statusReport();
    SecureFiles.write(
        config.runtimeStatusFile(),
        Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report),
        false);
    outbox.enqueue(report);
    int sent =
        outbox.flush(
            r ->
                registry.putStatus(
                    token,
                    RegistryReport.project(
                        r, VERSION, Duration.between(startedAt, clock.instant()).toSeconds())));
    if (outbox.size() == 0) {
      lastReport = clock.instant();
      registryError = null;
    } else {
      registryError = "status reports queued: " + outbox.size();
      log.warn("registry unreachable; {} status report(s) queued", outbox.size());
    }
    log.debug("sent {} status report(s)", sent);
  }

  /** Runs every check now (the TUI's "t"), then answers the report. */
  public ObjectNode testNow() {
    upnp.mapOrRefresh();
    checkPublicIp();
    syncPeers();
    if (config.relayEnabled()) {
      refreshRelay();
    }
    healthTick();
    ObjectNode report = statusReport();
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("direct_problem", directProblem());
    checks.put("upnp_mapping_present", upnp.mappingPresent());
    checks.put("dns_matches", ddns.snapshot().matches());
    checks.put(
        "relay_connected",
        spoqRelay.snapshot().open() ? spoqRelay.snapshot().up() : frpc.snapshot().connected());
    report.set("test", Json.MAPPER.valueToTree(checks));
    return report;
  }

  private void watchdog() {
    Duration since = Duration.between(lastHealthTick, clock.instant());
    if (since.compareTo(config.healthInterval().multipliedBy(3).plusSeconds(30)) < 0) {
      SdNotify.send("WATCHDOG=1");
    } else {
      log.warn("health loop stalled for {} s; withholding the watchdog ping", since.toSeconds());
    }
  }

  /** The local status API's port (useful when configured as 0). */
  public int statusPort() {
    return statusServer == null ? -1 : statusServer.port();
  }

  public List<Peer> peers() {
    return peers.peers();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("Spoq agent stopping");
    SdNotify.send("STOPPING=1");
    loops.shutdownNow();
    if (peerWatcher != null) {
      peerWatcher.interrupt();
    }
    upnp.delete();
    frpc.close();
    spoqRelay.close();
    if (statusServer != null) {
      statusServer.stop();
    }
    try {
      loops.awaitTermination(3, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Spoq agent stopped; WireGuard {} stays up", config.wgInterface());
    stopped.countDown();
  }
}
