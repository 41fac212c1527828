package dev.spoq.fleetsim;

import dev.spoq.common.wireguard.X25519;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;

/**
 * Plays the steady-state traffic of the fleet: every Jetson's agent polls (or long-polls) its peer
 * set, reports its status, re-asserts its DNS record and refreshes its relay assignment on the
 * agent's intervals, spread evenly over each interval; the operator side adds and revokes devices
 * (churn). Latency is measured from when a request was due, so a generator or service that falls
 * behind shows up as latency, and a request that finds every slot busy counts as an error.
 */
final class LoadDriver implements AutoCloseable {

  enum Kind {
    PEERS("peer poll      GET  /api/jetsons/self/peers (ETag)"),
    PEERS_WAIT("peer long-poll GET  /api/jetsons/self/peers?wait (overshoot past wait)"),
    STATUS("status report  PUT  /api/jetsons/self/status"),
    DNS("DNS check      POST /api/dns/update (unchanged address)"),
    RELAY("relay refresh  GET  /api/relay/assignment"),
    CHURN("device churn   POST /api/jetsons/{id}/devices | .../revoke"),
    PUSH("peer change -> agent sees the new peer set (push latency)");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  private static final long TICK_MILLIS = 100;

  private final SimOptions options;
  private final String registry;
  private final String dns;
  private final String coordinator;
  private final String adminKey;
  // One client per sim.jetsonsPerClient Jetsons, made on first use: each has its own pool and
  // selector thread, as each agent has its own; one JDK client for 10,000 Jetsons stalled for
  // seconds at a time while the services stood idle.
  private final Map<Integer, HttpClient> clients = new ConcurrentHashMap<>();
  private final ExecutorService httpExecutor = Executors.newFixedThreadPool(4);
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final Semaphore slots;
  private final Map<Kind, AtomicLong> fired = new EnumMap<>(Kind.class);
  private final AtomicLong churnNames = new AtomicLong();
  private volatile Map<Kind, LatencyStats> stats = newStats();
  private volatile List<SimulatedJetson> fleet = List.of();
  private volatile long startNanos;
  private volatile boolean running;

  LoadDriver(SimOptions options, String registry, String dns, String coordinator, String adminKey) {
    this.options = options;
    this.registry = registry;
    this.dns = dns;
    this.coordinator = coordinator;
    this.adminKey = adminKey;
    this.slots = new Semaphore(options.maxInFlight());
    for (Kind k : Kind.values()) {
      fired.put(k, new AtomicLong());
    }
  }

  private static Map<Kind, LatencyStats> newStats() {
    Map<Kind, LatencyStats> m = new EnumMap<>(Kind.class);
    for (Kind k : Kind.values()) {
      m.put(k, new LatencyStats(k.label));
    }
    return m;
  }

  /**
   * The fleet the load is spread over from now on (it only grows between steps). A new Jetson's
   * long-poll loop starts at a random moment within one wait, as agents booted at different times
   * do: started together, every long-poll of the fleet would expire in the same instant, a herd no
   * real fleet sends.
   */
  void fleet(List<SimulatedJetson> jetsons) {
    this.fleet = List.copyOf(jetsons);
    if (running && longPoll()) {
      long spreadMillis = TimeUnit.SECONDS.toMillis(options.peerWait());
      for (SimulatedJetson j : fleet) {
        if (!j.peerRequestInFlight) {
          j.peerRequestInFlight = true;
          ticker.schedule(
              () -> longPoll(j),
              ThreadLocalRandom.current().nextLong(spreadMillis),
              TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  void start() {
    startNanos = System.nanoTime();
    running = true;
    fleet(fleet);
    ticker.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Starts a new measurement window and returns the one that ends. */
  Map<Kind, LatencyStats> nextWindow() {
    Map<Kind, LatencyStats> ended = stats;
    stats = newStats();
    return ended;
  }

  int inFlight() {
    return options.maxInFlight() - slots.availablePermits();
  }

  private HttpClient client(SimulatedJetson j) {
    return clients.computeIfAbsent(
        j.index / options.jetsonsPerClient(),
        i ->
            HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(httpExecutor)
                .build());
  }

  private boolean longPoll() {
    return options.peerMode().equals("longpoll");
  }

  private void tick() {
    try {
      List<SimulatedJetson> jetsons = fleet;
      int n = jetsons.size();
      if (n == 0) {
        return;
      }
      long now = System.nanoTime();
      double elapsed = (now - startNanos) / 1e9;
      if (!longPoll()) {
        due(Kind.PEERS, jetsons, elapsed * n / options.peerInterval().toMillis() * 1000, now);
      }
      due(Kind.STATUS, jetsons, elapsed * n / options.statusInterval().toMillis() * 1000, now);
      due(Kind.DNS, jetsons, elapsed * n / options.dnsInterval().toMillis() * 1000, now);
      due(Kind.RELAY, jetsons, elapsed * n / options.relayInterval().toMillis() * 1000, now);
      due(Kind.CHURN, jetsons, elapsed * n * options.churnPerJetsonHour() / 3600, now);
    } catch (RuntimeException e) {
      stats.get(Kind.PEERS).error("load generator tick failed: " + e);
    }
  }

  /** Fires the requests of {@code kind} that fell due since the last tick (at most one round). */
  private void due(Kind kind, List<SimulatedJetson> jetsons, double target, long now) {
    AtomicLong counter = fired.get(kind);
    long goal = (long) target;
    long from = counter.get();
    long limit = Math.min(goal, from + jetsons.size());
    for (long i = from; i < limit; i++) {
      SimulatedJetson j =
          kind == Kind.CHURN
              ? jetsons.get(ThreadLocalRandom.current().nextInt(jetsons.size()))
              : jetsons.get((int) (i % jetsons.size()));
      send(kind, j, now);
    }
    counter.set(goal);
  }

  private void send(Kind kind, SimulatedJetson j, long dueNanos) {
    LatencyStats s = stats.get(kind);
    if (kind == Kind.PEERS && j.peerRequestInFlight) {
      return; // the agent waits for its previous poll
    }
    HttpRequest request = request(kind, j);
    if (request == null) {
      return;
    }
    if (!slots.tryAcquire()) {
      s.error("no free request slot (" + options.maxInFlight() + " in flight)");
      return;
    }
    if (kind == Kind.PEERS) {
      j.peerRequestInFlight = true;
    }
    client(j)
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, failure) -> {
              slots.release();
              if (kind == Kind.PEERS) {
                j.peerRequestInFlight = false;
              }
              long latency = System.nanoTime() - dueNanos;
              LatencyStats window = stats.get(kind);
              if (failure != null) {
                window.error(
                    kind + " " + failure.getClass().getSimpleName() + ": " + failure.getMessage());
                return;
              }
              if (!handled(kind, j, response)) {
                window.error(
                    kind
                        + " answered "
                        + response.statusCode()
                        + ": "
                        + response.body().substring(0, Math.min(200, response.body().length())));
                return;
              }
              window.record(latency);
            });
  }

  /** The agent's long-poll loop for one Jetson: re-issued as soon as the previous one answers. */
  private void longPoll(SimulatedJetson j) {
    if (!running) {
      return;
    }
    j.peerRequestInFlight = true;
    long started = System.nanoTime();
    long waitNanos = TimeUnit.SECONDS.toNanos(options.peerWait());
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create(registry + "/api/jetsons/self/peers?wait=" + options.peerWait()))
            .timeout(options.requestTimeout().plusSeconds(options.peerWait()))
            .header("Authorization", "Bearer " + j.deviceToken)
            .GET();
    if (j.etag != null) {
      b.header("If-None-Match", j.etag);
    }
    client(j)
        .sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (response, failure) -> {
              j.peerRequestInFlight = false;
              LatencyStats window = stats.get(Kind.PEERS_WAIT);
              long took = System.nanoTime() - started;
              boolean ok = failure == null && handled(Kind.PEERS, j, response);
              if (!ok) {
                window.error(
                    failure != null
                        ? "long-poll "
                            + failure.getClass().getSimpleName()
                            + ": "
                            + failure.getMessage()
                        : "long-poll answered " + response.statusCode());
                // The agent's fallback: retry after a pause.
                ticker.schedule(() -> longPoll(j), 1, TimeUnit.SECONDS);
                return;
              }
              window.record(response.statusCode() == 304 ? Math.max(0, took - waitNanos) : 0);
              if (running) {
                longPoll(j);
              }
            });
  }

  private HttpRequest request(Kind kind, SimulatedJetson j) {
    HttpRequest.Builder b = HttpRequest.newBuilder().timeout(options.requestTimeout());
    switch (kind) {
      case PEERS -> {
        b.uri(URI.create(registry + "/api/jetsons/self/peers")).GET();
        if (j.etag != null) {
          b.header("If-None-Match", j.etag);
        }
        return b.header("Authorization", "Bearer " + j.deviceToken).build();
      }
      case STATUS -> {
        String report =
            "{\"wireguard\":{\"interface\":\"wg0\",\"listen_port\":51820,\"address\":\"10.100.0.1/24\"},"
                + "\"upnp\":{\"status\":\"mapped\",\"external_ip\":\""
                + j.publicIp
                + "\",\"external_port\":51820},"
                + "\"dns\":{\"subdomain\":\""
                + j.subdomain
                + "\",\"points_to\":\""
                + j.publicIp
                + "\"},\"connection\":{\"mode\":\"direct\"}}";
        return b.uri(URI.create(registry + "/api/jetsons/self/status"))
            .header("Authorization", "Bearer " + j.deviceToken)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(report))
            .build();
      }
      case DNS -> {
        return b.uri(URI.create(dns + "/api/dns/update"))
            .header("Authorization", "Bearer " + j.deviceToken)
            .header("Content-Type", "application/json")
            .header("X-Forwarded-For", j.publicIp)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"subdomain\":\"" + j.subdomain + "\",\"ip\":\"" + j.publicIp + "\"}"))
            .build();
      }
      case RELAY -> {
        return b.uri(URI.create(coordinator + "/api/relay/assignment"))
            .header("Authorization", "Bearer " + j.deviceToken)
            .GET()
            .build();
      }
      case CHURN -> {
        UUID device = j.churnDevice;
        b.header("Authorization", "Bearer " + adminKey).header("Content-Type", "application/json");
        if (device == null) {
          String body =
              "{\"name\":\"sim-phone-"
                  + churnNames.incrementAndGet()
                  + "\",\"profile\":1,\"publicKey\":\""
                  + X25519.generate().publicKey().base64()
                  + "\"}";
          return b.uri(URI.create(registry + "/api/jetsons/" + j.jetsonId + "/devices"))
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
        }
        j.churnDevice = null; // a second churn event before this one answers adds instead
        return b.uri(
                URI.create(
                    registry + "/api/jetsons/" + j.jetsonId + "/devices/" + device + "/revoke"))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
      }
      default -> {
        return null;
      }
    }
  }

  /** Whether the answer is what the agent expects; also updates the agent's memory. */
  private boolean handled(Kind kind, SimulatedJetson j, HttpResponse<String> r) {
    int status = r.statusCode();
    switch (kind) {
      case PEERS -> {
        if (status == 304) {
          return true;
        }
        if (status != 200) {
          return false;
        }
        String etag = r.headers().firstValue("ETag").orElse(null);
        long changedAt = j.changedAtNanos;
        if (j.etag != null && etag != null && !etag.equals(j.etag) && changedAt != 0) {
          stats.get(Kind.PUSH).record(System.nanoTime() - changedAt);
          j.changedAtNanos = 0;
        }
        j.etag = etag;
        return true;
      }
      case STATUS -> {
        return status == 200 || status == 202 || status == 204;
      }
      case DNS -> {
        // 202: stored and pending at the provider (the simulator runs dns-api with provider none)
        return status == 200 || status == 202;
      }
      case RELAY -> {
        return status == 200;
      }
      case CHURN -> {
        if (status == 201) {
          JsonNode body = ControlPlaneApi.JSON.readTree(r.body());
          j.churnDevice = UUID.fromString(body.get("device").get("id").asString());
          j.changedAtNanos = System.nanoTime();
          return true;
        }
        if (status == 200 || status == 204) {
          j.changedAtNanos = System.nanoTime();
          return true;
        }
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    ticker.shutdownNow();
    httpExecutor.shutdownNow();
  }
}
