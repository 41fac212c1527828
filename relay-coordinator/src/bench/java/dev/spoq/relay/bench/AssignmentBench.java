package dev.spoq.relay.bench;

import dev.spoq.relay.assignment.AssignmentService;
import dev.spoq.relay.fleet.HealthPoller;
import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Load driver (run by hand, see the module README): assignment throughput for 10,000 Jetsons across
 * 3 regions (2 relays each), with every Jetson having reported latencies, assigned concurrently
 * through the service's AssignmentService (the code behind GET /api/relay/assignment, minus the
 * HTTP and registry token check), on real PostgreSQL. Afterwards SQL verifies: every Jetson has
 * exactly one assignment, no (relay, port) appears twice, no relay is over capacity, every port is
 * inside its relay's range.
 *
 * <p>Options: {@code --jetsons=10000 --threads=8}.
 */
public final class AssignmentBench {

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    int jetsons = BenchSupport.intArg(args, "jetsons", 10_000);
    int threads = BenchSupport.intArg(args, "threads", 8);
    TestPostgres.Database db = TestPostgres.newDatabase("relay_assign_bench");
    // No registry needed: nothing on this path calls it. Point at a closed port to prove it.
    ConfigurableApplicationContext coordinator =
        BenchSupport.startCoordinator("http://127.0.0.1:9", "unused-service-token", db);
    // Relays are registered through the fleet service bean: the admin REST API would need a
    // registry to check the admin key, and this driver measures assignment only.
    var fleet = coordinator.getBean(dev.spoq.relay.fleet.FleetService.class);
    List<FrpsAdminStub> stubs = new ArrayList<>();
    String[] regions = {"us", "eu", "asia"};
    int base = 20000;
    for (String region : regions) {
      for (int r = 1; r <= 2; r++) {
        FrpsAdminStub stub = new FrpsAdminStub("admin", "pw", 7000);
        stubs.add(stub);
        fleet.register(
            new dev.spoq.relay.fleet.Relay(
                region + "-" + r, dev.spoq.relay.fleet.Relay.FRP, region, region + "-" + r + ".relay.bench", 7000, base,
                base + 2999, 3000, stub.url(), "admin", "pw", "UNKNOWN", false, 0, null, null,
                null, null, null, null, 0, 0, null));
        base += 3000;
      }
    }
    coordinator.getBean(HealthPoller.class).pollAll();
    AssignmentService assignments = coordinator.getBean(AssignmentService.class);

    Random random = new Random(42);
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < jetsons; i++) {
      UUID id = UUID.randomUUID();
      ids.add(id);
      // each Jetson is near one region (10-60 ms) and far from the others (90-250 ms)
      int home = random.nextInt(3);
      Map<String, Double> rtt = new java.util.HashMap<>();
      for (int r = 0; r < 3; r++) {
        rtt.put(regions[r], (double) (r == home ? 10 + random.nextInt(50) : 90 + random.nextInt(160)));
      }
      assignments.recordLatency(id, rtt);
    }

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<long[]> latencies = new ArrayList<>();
    List<Future<long[]>> futures = new ArrayList<>();
    long start = System.nanoTime();
    int per = (jetsons + threads - 1) / threads;
    for (int t = 0; t < threads; t++) {
      List<UUID> slice = ids.subList(Math.min(t * per, jetsons), Math.min((t + 1) * per, jetsons));
      futures.add(
          pool.submit(
              () -> {
                long[] l = new long[slice.size()];
                for (int i = 0; i < slice.size(); i++) {
                  long t0 = System.nanoTime();
                  assignments.place(slice.get(i));
                  l[i] = System.nanoTime() - t0;
                }
                return l;
              }));
    }
    for (Future<long[]> f : futures) {
      latencies.add(f.get());
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    pool.shutdown();

    System.out.printf(
        "%nrelay-coordinator assignment benchmark: %d Jetsons, 3 regions x 2 relays (capacity 3000 each), %d threads, %d CPU cores%n",
        jetsons, threads, Runtime.getRuntime().availableProcessors());
    BenchSupport.report("assign new Jetson (service + SQL)", latencies, wall);

    JdbcClient jdbc = coordinator.getBean(JdbcClient.class);
    int rows = jdbc.sql("SELECT count(*) FROM assignment").query(Integer.class).single();
    int distinctJetsons =
        jdbc.sql("SELECT count(DISTINCT jetson_id) FROM assignment").query(Integer.class).single();
    int duplicatePorts =
        jdbc.sql(
                "SELECT count(*) FROM (SELECT relay_id, remote_port FROM assignment"
                    + " GROUP BY relay_id, remote_port HAVING count(*) > 1) d")
            .query(Integer.class)
            .single();
    int overCapacity =
        jdbc.sql(
                "SELECT count(*) FROM (SELECT r.id FROM relay r JOIN assignment a ON a.relay_id = r.id"
                    + " GROUP BY r.id, r.capacity HAVING count(*) > r.capacity) o")
            .query(Integer.class)
            .single();
    int outOfRange =
        jdbc.sql(
                "SELECT count(*) FROM assignment a JOIN relay r ON r.id = a.relay_id"
                    + " WHERE a.remote_port NOT BETWEEN r.port_range_start AND r.port_range_end")
            .query(Integer.class)
            .single();
    System.out.printf(
        "SQL check: %d assignment rows, %d distinct Jetsons, %d duplicate (relay, port) pairs, %d relays over capacity, %d ports out of range%n",
        rows, distinctJetsons, duplicatePorts, overCapacity, outOfRange);
    jdbc.sql(
            "SELECT r.region, r.id, count(a.jetson_id) AS n, min(a.remote_port) AS lo, max(a.remote_port) AS hi"
                + " FROM relay r LEFT JOIN assignment a ON a.relay_id = r.id GROUP BY r.region, r.id ORDER BY r.region, r.id")
        .query(
            rs -> {
              System.out.printf(
                  "  %-5s %-7s %5d Jetsons, ports %d..%d%n",
                  rs.getString("region"),
                  rs.getString("id"),
                  rs.getInt("n"),
                  rs.getInt("lo"),
                  rs.getInt("hi"));
            });
    boolean ok =
        rows == jetsons && distinctJetsons == jetsons && duplicatePorts == 0 && overCapacity == 0
            && outOfRange == 0;
    System.out.println(ok ? "RESULT: OK" : "RESULT: FAILED");
    coordinator.close();
    stubs.forEach(FrpsAdminStub::close);
    System.exit(ok ? 0 : 1);
  }
}
