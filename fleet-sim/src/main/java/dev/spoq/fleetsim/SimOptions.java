package dev.spoq.fleetsim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulator's settings, from system properties ({@code -Dsim.<name>=...}). The intervals are
 * the agent's shipped defaults (deploy/agent/agent.toml) unless stated.
 *
 * @param steps fleet sizes tried in order; the run stops at the first that fails
 * @param hold how long each size must hold (p99 below the limit, no error)
 * @param warmup load before the measured hold (JIT, caches, connection pools); at least the longest
 *     interval, or the hold still sees each Jetson's first DNS publication and relay placement
 * @param idle how long the services' CPU is measured with no Jetson before the first size
 * @param p99Limit the latency a request kind's p99 must stay under
 * @param peerMode {@code poll} (ETag poll every {@code peerInterval}) or {@code longpoll} (C4)
 * @param peerInterval the agent's peer poll interval ({@code [peers] poll-interval})
 * @param peerWait long-poll {@code wait} seconds
 * @param statusInterval the agent's status report interval ({@code [report] interval})
 * @param dnsInterval how often each Jetson re-asserts its unchanged DNS record
 * @param relayInterval the agent's assignment refresh ({@code [relay] assignment-interval})
 * @param churnPerJetsonHour peer-set changes (device added or revoked) per Jetson per hour
 * @param requestTimeout how long a request may take before it counts as an error
 * @param maxInFlight requests in flight at once (long-polls are not counted)
 * @param provisionThreads parallel enrolments while growing the fleet
 * @param jetsonsPerClient Jetsons sharing one HTTP client (its connection pool and selector
 *     thread); real agents each have their own, and one JDK client for a whole large fleet becomes
 *     the bottleneck itself
 * @param jfr record a JFR profile of every service and print its hottest frames
 * @param outDir logs, JFR files and the report
 * @param repoRoot where the services' exec jars are built
 * @param basePort first of the ports used (registry, dns-api, coordinator, PostgreSQL, relays)
 */
record SimOptions(
    List<Integer> steps,
    Duration hold,
    Duration warmup,
    Duration idle,
    Duration p99Limit,
    String peerMode,
    Duration peerInterval,
    int peerWait,
    Duration statusInterval,
    Duration dnsInterval,
    Duration relayInterval,
    double churnPerJetsonHour,
    Duration requestTimeout,
    int maxInFlight,
    int provisionThreads,
    int jetsonsPerClient,
    boolean jfr,
    Path outDir,
    Path repoRoot,
    int basePort) {

  static SimOptions fromSystemProperties() {
    List<Integer> steps = new ArrayList<>();
    for (String s : prop("sim.steps", "1000,2000,5000,10000,20000,50000,100000").split(",")) {
      steps.add(Integer.parseInt(s.trim()));
    }
    Path root = findRepoRoot();
    String out = prop("sim.out", "");
    SimOptions o =
        new SimOptions(
            List.copyOf(steps),
            Duration.parse(prop("sim.hold", "PT10M")),
            Duration.parse(prop("sim.warmup", "PT5M")),
            Duration.parse(prop("sim.idle", "PT30S")),
            Duration.parse(prop("sim.p99Limit", "PT0.1S")),
            prop("sim.peerMode", "poll"),
            Duration.parse(prop("sim.peerInterval", "PT30S")),
            Integer.parseInt(prop("sim.peerWait", "55")),
            Duration.parse(prop("sim.statusInterval", "PT60S")),
            Duration.parse(prop("sim.dnsInterval", "PT5M")),
            Duration.parse(prop("sim.relayInterval", "PT5M")),
            Double.parseDouble(prop("sim.churnPerJetsonHour", "0.1")),
            Duration.parse(prop("sim.requestTimeout", "PT10S")),
            Integer.parseInt(prop("sim.maxInFlight", "4096")),
            Integer.parseInt(prop("sim.provisionThreads", "8")),
            Integer.parseInt(prop("sim.jetsonsPerClient", "250")),
            Boolean.parseBoolean(prop("sim.jfr", "false")),
            out.isEmpty()
                ? root.resolve("fleet-sim/target/fleet-sim")
                : Path.of(out).toAbsolutePath(),
            root,
            Integer.parseInt(prop("sim.basePort", "18081")));
    o.validate();
    return o;
  }

  void validate() {
    if (steps.isEmpty() || steps.stream().anyMatch(n -> n < 1 || n > 1_000_000)) {
      throw new IllegalArgumentException("sim.steps: fleet sizes 1..1000000");
    }
    if (!peerMode.equals("poll") && !peerMode.equals("longpoll")) {
      throw new IllegalArgumentException("sim.peerMode: poll or longpoll");
    }
    if (peerWait < 1 || peerWait > 55) {
      throw new IllegalArgumentException("sim.peerWait: 1..55 seconds");
    }
    if (idle.isNegative() || idle.isZero() || idle.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("sim.idle: more than 0, at most 10 minutes");
    }
    if (hold.isNegative() || hold.isZero() || hold.compareTo(Duration.ofHours(6)) > 0) {
      throw new IllegalArgumentException("sim.hold: more than 0, at most 6 hours");
    }
    if (maxInFlight < 1 || provisionThreads < 1 || provisionThreads > 64) {
      throw new IllegalArgumentException("sim.maxInFlight >= 1, sim.provisionThreads 1..64");
    }
    if (jetsonsPerClient < 1) {
      throw new IllegalArgumentException("sim.jetsonsPerClient >= 1");
    }
  }

  static Path findRepoRoot() {
    String configured = System.getProperty("spoq.repo.root");
    Path start = configured != null && !configured.isBlank() ? Path.of(configured) : Path.of("");
    for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
      if (p.resolve("device-registry").toFile().isDirectory()
          && p.resolve("pom.xml").toFile().isFile()) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root from " + start);
  }

  private static String prop(String name, String fallback) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }
}
