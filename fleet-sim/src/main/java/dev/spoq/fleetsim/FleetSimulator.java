package dev.spoq.fleetsim;

import dev.spoq.common.token.Tokens;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet simulator and scale benchmark (issue 11): one node of device-registry, dns-api and
 * relay-coordinator on one embedded PostgreSQL, and N simulated Jetsons' steady-state traffic
 * (LoadDriver). For each fleet size in {@code sim.steps} it enrols Jetsons up to that size, warms
 * up, then holds the load for {@code sim.hold}; a size passes when every request kind's p99 stays
 * under {@code sim.p99Limit} with no error. It stops at the first size that fails and prints, per
 * size: requests/s, p50/p99 per kind, PostgreSQL connections in use, each service's RSS and the
 * push latency of a peer change. Not a test: run it with the {@code bench} profile (README.md).
 */
public final class FleetSimulator {

  private static final Logger log = LoggerFactory.getLogger(FleetSimulator.class);

  private FleetSimulator() {}

  public static void main(String[] args) throws Exception {
    SimOptions options = SimOptions.fromSystemProperties();
    // Stopped from outside (SIGTERM to Maven), the services and PostgreSQL must not outlive it.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroy),
                "fleet-sim-cleanup"));
    Result result = run(options);
    System.out.println(result.report());
    Files.writeString(options.outDir().resolve("fleet-sim-report.txt"), result.report());
  }

  /** Figures of one fleet size held for the hold period. */
  record StepResult(
      int jetsons,
      boolean passed,
      double seconds,
      Map<LoadDriver.Kind, LatencyStats> stats,
      int pgConnectionsMax,
      int pgActiveMax,
      Map<String, Long> rssMaxBytes,
      Map<String, Double> cpuSeconds,
      Map<String, Integer> openFilesMax,
      double loadAverageMean,
      double loadAverageMax,
      int inFlightMax,
      String failure) {

    /** Requests/s of the kinds that are requests (not the push latency). */
    double requestsPerSecond() {
      long total = 0;
      for (Map.Entry<LoadDriver.Kind, LatencyStats> e : stats.entrySet()) {
        if (e.getKey() != LoadDriver.Kind.PUSH) {
          total += e.getValue().count();
        }
      }
      return total / seconds;
    }
  }

  record Result(List<StepResult> steps, List<String> notes, String report) {}

  static Result run(SimOptions options) throws Exception {
    Files.createDirectories(options.outDir());
    String adminKey = Tokens.generate("spoq_key");
    Map<String, String> serviceTokens = new LinkedHashMap<>();
    for (String s : List.of("dns-api", "relay-coordinator", "jump-router")) {
      serviceTokens.put(s, Tokens.generate("spoq_svc"));
    }
    int registryPort = options.basePort();
    int dnsPort = registryPort + 1;
    int coordinatorPort = registryPort + 2;
    int relayHostsPort = registryPort + 3;
    int pgPort = registryPort + 4;

    List<StepResult> steps = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    List<ServiceNode> nodes = new ArrayList<>();
    List<JfrTopFrames.Window> measured = new ArrayList<>();
    Map<String, Double> idleCores = new LinkedHashMap<>();
    Path pgData = Files.createTempDirectory(options.outDir(), "pg-");
    try (EmbeddedPostgres pg =
            EmbeddedPostgres.builder()
                .setPort(pgPort)
                .setDataDirectory(pgData)
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "200")
                .start();
        RelayHosts relayHosts = new RelayHosts(relayHostsPort)) {
      try {
        String jdbc = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
        String registryUrl = "http://127.0.0.1:" + registryPort;

        Map<String, Object> registryConfig = datasource(jdbc);
        registryConfig.put("spoq.security.bootstrap-admin-key", adminKey);
        serviceTokens.forEach((s, t) -> registryConfig.put("spoq.security.service-tokens." + s, t));
        // As docker-compose.yml deploys it: every agent holds a peer long-poll connection.
        registryConfig.put("server.tomcat.max-connections", 100_000);
        nodes.add(start("device-registry", registryPort, registryConfig, options));

        Map<String, Object> dnsConfig = datasource(jdbc);
        dnsConfig.put("spoq.registry.base-url", registryUrl);
        dnsConfig.put("spoq.registry.service-token", serviceTokens.get("dns-api"));
        dnsConfig.put("spoq.dns.provider", "none");
        // The simulator stands for the TLS proxy: X-Forwarded-For carries each Jetson's address.
        dnsConfig.put("spoq.dns.trusted-proxies", List.of("127.0.0.1/32"));
        nodes.add(start("dns-api", dnsPort, dnsConfig, options));

        Map<String, Object> relayConfig = datasource(jdbc);
        relayConfig.put("spoq.registry.base-url", registryUrl);
        relayConfig.put("spoq.registry.service-token", serviceTokens.get("relay-coordinator"));
        relayConfig.put("spoq.relay.plugin-secret", Tokens.generate("spoq_plg"));
        relayConfig.put("spoq.relay.frps-auth-token", Tokens.generate("spoq_frp"));
        relayConfig.put("spoq.relay.credential-key", Tokens.generate("spoq_rck"));
        // The simulated relay hosts' admin APIs listen on loopback.
        relayConfig.put("spoq.relay.admin-url.allowed-ranges", List.of("127.0.0.0/8"));
        nodes.add(start("relay-coordinator", coordinatorPort, relayConfig, options));

        ControlPlaneApi api =
            new ControlPlaneApi(registryUrl, "http://127.0.0.1:" + coordinatorPort, adminKey);
        int largest = Collections.max(options.steps());
        int perRelay = 40_000;
        for (int r = 0; r * perRelay < largest; r++) {
          api.createRelay("sim-relay-" + r, relayHosts.adminUrl(), 20_000, perRelay);
        }
        awaitRelaysUp(api, (largest + perRelay - 1) / perRelay);
        DataSource pgIdle = pg.getPostgresDatabase();
        idleCores.putAll(idleCores(options, nodes, pgIdle, pgData));

        DataSource pgStats = pg.getPostgresDatabase();
        List<SimulatedJetson> fleet = Collections.synchronizedList(new ArrayList<>());
        try (LoadDriver driver =
            new LoadDriver(
                options,
                registryUrl,
                "http://127.0.0.1:" + dnsPort,
                "http://127.0.0.1:" + coordinatorPort,
                adminKey)) {
          driver.start();
          for (int target : options.steps()) {
            String fdShortage =
                fileDescriptorShortage(
                    options,
                    target,
                    nodes.get(0),
                    steps.isEmpty() ? null : steps.get(steps.size() - 1));
            if (fdShortage != null) {
              log.info("{} Jetsons: not tried ({})", target, fdShortage);
              steps.add(notTried(target, fdShortage));
              break;
            }
            long t0 = System.nanoTime();
            grow(api, fleet, target, options.provisionThreads());
            double rate = (target - 0.0) / Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            log.info(
                "fleet at {} Jetsons (enrolment {} Jetsons/s)",
                target,
                String.format("%.0f", rate));
            driver.fleet(new ArrayList<>(fleet));
            sleep(options.warmup());
            driver.nextWindow();
            if (options.jfr() && measured.isEmpty()) {
              // Profiles hold the steady state only: started after start-up, enrolment, warm-up.
              for (ServiceNode n : nodes) {
                n.startJfr();
              }
            }
            Instant from = Instant.now();
            StepResult step = hold(options, target, driver, nodes, pgStats, pgData);
            measured.add(new JfrTopFrames.Window(from, Instant.now()));
            steps.add(step);
            log.info(
                "{} Jetsons: {}{}",
                target,
                step.passed() ? "held" : "FAILED",
                step.failure() == null ? "" : " (" + step.failure() + ")");
            if (!step.passed()) {
              break;
            }
          }
        }
      } finally {
        // The services stop before their database (each writes its JFR file on exit).
        for (int i = nodes.size() - 1; i >= 0; i--) {
          nodes.get(i).close();
        }
      }
    }
    if (options.jfr()) {
      for (ServiceNode n : nodes) {
        if (n.jfrFile() != null && Files.exists(n.jfrFile())) {
          notes.add(JfrTopFrames.summary(n.name(), n.jfrFile(), 20, measured));
        }
      }
    }
    return new Result(steps, notes, Report.render(options, steps, notes, idleCores));
  }

  private static Map<String, Object> datasource(String jdbc) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("spring.datasource.url", jdbc);
    c.put("spring.datasource.username", "postgres");
    c.put("spring.datasource.password", "postgres");
    return c;
  }

  private static ServiceNode start(
      String name, int port, Map<String, Object> config, SimOptions options) throws Exception {
    log.info("starting {} on port {}", name, port);
    ServiceNode node =
        ServiceNode.start(
            name, port, Map.of(), options, ControlPlaneApi.JSON.writeValueAsString(config));
    node.awaitHealthy(Duration.ofMinutes(4));
    return node;
  }

  private static void awaitRelaysUp(ControlPlaneApi api, int relays) throws Exception {
    for (int r = 0; r < relays; r++) {
      String id = "sim-relay-" + r;
      String status = "UNKNOWN";
      for (int i = 0; i < 120 && !status.equals("UP"); i++) {
        status = api.relayStatus(id);
        if (!status.equals("UP")) {
          Thread.sleep(500);
        }
      }
      if (!status.equals("UP")) {
        throw new IllegalStateException("relay " + id + " did not come up: " + status);
      }
    }
  }

  /** Enrols Jetsons (account, code, enrolment: what an operator and the agent do) up to size. */
  private static void grow(ControlPlaneApi api, List<SimulatedJetson> fleet, int size, int threads)
      throws Exception {
    int from = fleet.size();
    if (from >= size) {
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<SimulatedJetson>> futures = new ArrayList<>();
      for (int i = from; i < size; i++) {
        int index = i;
        futures.add(pool.submit(() -> api.enroll(index)));
      }
      for (Future<SimulatedJetson> f : futures) {
        fleet.add(f.get(5, TimeUnit.MINUTES));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static StepResult hold(
      SimOptions options,
      int jetsons,
      LoadDriver driver,
      List<ServiceNode> nodes,
      DataSource pgStats,
      Path pgData)
      throws Exception {
    int pgMax = 0;
    int pgActiveMax = 0;
    int inFlightMax = 0;
    Map<String, Long> rss = new LinkedHashMap<>();
    Map<String, Integer> openFiles = new LinkedHashMap<>();
    double loadSum = 0;
    double loadMax = 0;
    int loadSamples = 0;
    Map<String, Double> cpuBefore = new LinkedHashMap<>();
    for (ServiceNode n : nodes) {
      cpuBefore.put(n.name(), ProcStats.cpuSeconds(n.pid()));
    }
    long self = ProcessHandle.current().pid();
    cpuBefore.put("simulator", ProcStats.cpuSeconds(self));
    Map<Long, Double> pgBefore = ProcStats.cpuSeconds(postgresPids(pgStats, pgData));
    long start = System.nanoTime();
    long end = start + options.hold().toNanos();
    String failure = null;
    // Bounded: one sample every 5 s until the hold ends (or a service dies).
    while (System.nanoTime() < end) {
      Thread.sleep(Math.min(5_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
      int[] pgNow = pgConnections(pgStats);
      pgMax = Math.max(pgMax, pgNow[0]);
      pgActiveMax = Math.max(pgActiveMax, pgNow[1]);
      inFlightMax = Math.max(inFlightMax, driver.inFlight());
      double load = ProcStats.loadAverage1m();
      loadSum += load;
      loadMax = Math.max(loadMax, load);
      loadSamples++;
      for (ServiceNode n : nodes) {
        rss.merge(n.name(), n.rssBytes(), Math::max);
        openFiles.merge(n.name(), ProcStats.openFiles(n.pid()), Math::max);
        if (!n.isAlive()) {
          failure = n.name() + " died";
        }
      }
      if (failure != null) {
        break;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<LoadDriver.Kind, LatencyStats> stats = driver.nextWindow();
    Map<String, Double> cpu = new LinkedHashMap<>();
    for (ServiceNode n : nodes) {
      cpu.put(n.name(), ProcStats.cpuSeconds(n.pid()) - cpuBefore.get(n.name()));
    }
    cpu.put(
        "postgresql",
        ProcStats.cpuDelta(pgBefore, ProcStats.cpuSeconds(postgresPids(pgStats, pgData))));
    cpu.put("simulator", ProcStats.cpuSeconds(self) - cpuBefore.get("simulator"));
    double limit = options.p99Limit().toNanos() / 1e6;
    for (Map.Entry<LoadDriver.Kind, LatencyStats> e : stats.entrySet()) {
      LatencyStats s = e.getValue();
      if (failure == null && s.errors() > 0) {
        failure = s.errors() + " errors in " + e.getKey() + ", e.g. " + s.errorSamples();
      }
      // A held long-poll and the push latency are reported, not held to the request limit (Tomcat
      // expires a waiting request on a 1 s sweep); a long-poll still fails on a timeout.
      boolean request =
          e.getKey() != LoadDriver.Kind.PUSH && e.getKey() != LoadDriver.Kind.PEERS_WAIT;
      if (failure == null && request && s.count() > 0 && s.percentileMillis(0.99) >= limit) {
        failure =
            e.getKey()
                + " p99 "
                + String.format("%.1f", s.percentileMillis(0.99))
                + " ms >= "
                + limit;
      }
    }
    return new StepResult(
        jetsons,
        failure == null,
        seconds,
        stats,
        pgMax,
        pgActiveMax,
        rss,
        cpu,
        openFiles,
        loadSamples == 0 ? -1 : loadSum / loadSamples,
        loadMax,
        inFlightMax,
        failure);
  }

  /**
   * Held long-polls take one socket each in the registry and in the simulator: a size beyond either
   * process's open-file limit (less room for the rest) cannot be held, whatever the code.
   */
  /**
   * Why {@code jetsons} cannot be tried in this process's and the registry's open-file limits, or
   * null. Each held long-poll needs a socket at both ends, and keep-alive connections of the other
   * request kinds come on top: after a first size, the registry's measured open files per Jetson
   * scale the estimate (at 10,000 it held 1.73 per Jetson).
   */
  static String fileDescriptorShortage(
      SimOptions options, int jetsons, ServiceNode registry, StepResult previous) {
    if (!options.peerMode().equals("longpoll")) {
      return null;
    }
    long simulator = ProcStats.openFilesLimit(ProcessHandle.current().pid());
    long service = ProcStats.openFilesLimit(registry.pid());
    long limit =
        Math.min(
            simulator < 0 ? Long.MAX_VALUE : simulator, service < 0 ? Long.MAX_VALUE : service);
    double perJetson = 1.0;
    Integer measured = previous == null ? null : previous.openFilesMax().get(registry.name());
    if (measured != null && measured > 0 && previous.jetsons() > 0) {
      perJetson = Math.max(1.0, (double) measured / previous.jetsons());
    }
    long needed = (long) Math.ceil(jetsons * perJetson) + FD_HEADROOM;
    if (needed <= limit) {
      return null;
    }
    return String.format(
        "%,d Jetsons need about %,d sockets in the registry and in the simulator (%.2f per Jetson:"
            + " a held long-poll each, plus keep-alive connections); the open-file limit here is"
            + " %,d (simulator) / %,d (registry), and this container may not raise it",
        jetsons, needed, perJetson, simulator, service);
  }

  /** File descriptors kept free for everything but the held long-polls. */
  private static final int FD_HEADROOM = 2_000;

  private static StepResult notTried(int jetsons, String why) {
    return new StepResult(
        jetsons,
        false,
        0,
        new java.util.EnumMap<>(LoadDriver.Kind.class),
        0,
        0,
        Map.of(),
        Map.of(),
        Map.of(),
        -1,
        -1,
        0,
        "not tried: " + why);
  }

  /**
   * CPU the services and PostgreSQL use with no Jetson at all (scheduled jobs, pollers, the
   * revocation feed), in cores, over {@code sim.idle}: subtracted from a hold's CPU to get the cost
   * of a request.
   */
  private static Map<String, Double> idleCores(
      SimOptions options, List<ServiceNode> nodes, DataSource pgStats, Path pgData)
      throws InterruptedException {
    Map<String, Double> before = new LinkedHashMap<>();
    for (ServiceNode n : nodes) {
      before.put(n.name(), ProcStats.cpuSeconds(n.pid()));
    }
    Map<Long, Double> pgBefore = ProcStats.cpuSeconds(postgresPids(pgStats, pgData));
    long start = System.nanoTime();
    Thread.sleep(options.idle().toMillis());
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Double> cores = new LinkedHashMap<>();
    for (ServiceNode n : nodes) {
      cores.put(n.name(), (ProcStats.cpuSeconds(n.pid()) - before.get(n.name())) / seconds);
    }
    cores.put(
        "postgresql",
        ProcStats.cpuDelta(pgBefore, ProcStats.cpuSeconds(postgresPids(pgStats, pgData)))
            / seconds);
    log.info("idle CPU (cores) with no Jetson: {}", cores);
    return cores;
  }

  /**
   * The embedded PostgreSQL's processes: the postmaster (first line of postmaster.pid) and every
   * backend and auxiliary process it lists in pg_stat_activity.
   */
  private static List<Long> postgresPids(DataSource ds, Path pgData) {
    List<Long> pids = new ArrayList<>();
    try {
      pids.add(Long.parseLong(Files.readAllLines(pgData.resolve("postmaster.pid")).get(0).trim()));
    } catch (Exception e) {
      // not readable: backends only
    }
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT pid FROM pg_stat_activity")) {
      while (r.next()) {
        pids.add(r.getLong(1));
      }
    } catch (Exception e) {
      // figures stay partial
    }
    return pids;
  }

  /** Client connections to PostgreSQL: total and those running a statement now. */
  private static int[] pgConnections(DataSource ds) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity"
                    + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
      r.next();
      return new int[] {r.getInt(1), r.getInt(2)};
    } catch (Exception e) {
      return new int[] {-1, -1};
    }
  }

  private static void sleep(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
