package dev.spoq.fleetsim;

import java.util.List;
import java.util.Map;

/** The printed figures of a run. */
final class Report {

  private Report() {}

  static String render(
      SimOptions o,
      List<FleetSimulator.StepResult> steps,
      List<String> notes,
      Map<String, Double> idleCores) {
    StringBuilder out = new StringBuilder();
    out.append("\n=== Spoq fleet simulator ===\n");
    out.append(
        String.format(
            "one node each of device-registry, dns-api, relay-coordinator; embedded PostgreSQL;"
                + " %d cores; JVM flags of the image: %s%n",
            Runtime.getRuntime().availableProcessors(), flags(o)));
    out.append(
        String.format(
            "per Jetson: peers %s every %ss, status every %ss, DNS check every %ss, relay refresh"
                + " every %ss; churn %.2f peer changes/Jetson/h; hold %s after %s warm-up; pass ="
                + " p99 < %s ms and no error%n",
            o.peerMode().equals("poll") ? "ETag poll" : "long-poll (wait=" + o.peerWait() + ")",
            o.peerInterval().toSeconds(),
            o.statusInterval().toSeconds(),
            o.dnsInterval().toSeconds(),
            o.relayInterval().toSeconds(),
            o.churnPerJetsonHour(),
            o.hold(),
            o.warmup(),
            o.p99Limit().toMillis()));
    out.append("CPU with no Jetson (scheduled jobs, pollers, feeds), cores:");
    idleCores.forEach((n, c) -> out.append(String.format(" %s %.3f;", n, c)));
    out.append('\n');
    int reached = 0;
    for (FleetSimulator.StepResult s : steps) {
      if (s.passed()) {
        reached = s.jetsons();
      }
      out.append(
          String.format(
              "%n--- N = %,d Jetsons: %s (%.0f s)%s%n",
              s.jetsons(),
              s.passed() ? "HELD" : "FAILED",
              s.seconds(),
              s.failure() == null ? "" : " - " + s.failure()));
      if (s.stats().isEmpty()) {
        continue; // not tried
      }
      long total = 0;
      out.append(
          String.format(
              "  %-72s %9s %8s %8s %8s %7s%n",
              "request kind", "req/s", "p50 ms", "p99 ms", "max ms", "errors"));
      for (Map.Entry<LoadDriver.Kind, LatencyStats> e : s.stats().entrySet()) {
        LatencyStats st = e.getValue();
        if (st.count() == 0 && st.errors() == 0) {
          continue;
        }
        if (e.getKey() != LoadDriver.Kind.PUSH) {
          total += st.count();
        }
        out.append(
            String.format(
                "  %-72s %9.1f %8.1f %8.1f %8.1f %7d%n",
                st.kind(),
                st.count() / s.seconds(),
                st.percentileMillis(0.5),
                st.percentileMillis(0.99),
                st.maxMillis(),
                st.errors()));
      }
      out.append(String.format("  total requests/s: %.1f%n", total / s.seconds()));
      out.append(
          String.format(
              "  load average (1 min) during the hold: mean %.1f, max %.1f (%d cores)%n",
              s.loadAverageMean(), s.loadAverageMax(), Runtime.getRuntime().availableProcessors()));
      appendCpu(out, o, s, idleCores);
      for (LatencyStats st : s.stats().values()) {
        for (String sample : st.errorSamples()) {
          out.append("  error sample: ").append(sample).append('\n');
        }
      }
      out.append(
          String.format(
              "  PostgreSQL client connections (max): %d open, %d running a statement%n",
              s.pgConnectionsMax(), s.pgActiveMax()));
      out.append("  resident memory (max; ZGC's three heap views counted once):");
      s.rssMaxBytes().forEach((n, b) -> out.append(String.format(" %s %d MiB;", n, b >> 20)));
      out.append("\n  open file descriptors (max):");
      s.openFilesMax().forEach((n, f) -> out.append(String.format(" %s %d;", n, f)));
      out.append(
          String.format("%n  simulator requests in flight (max sampled): %d%n", s.inFlightMax()));
    }
    out.append(String.format("%nLargest N held: %,d%n", reached));
    for (String note : notes) {
      out.append('\n').append(note);
    }
    return out.toString();
  }

  /**
   * CPU used per service during the hold, per request it served, and what the same cost per request
   * would need at 100,000 Jetsons with the run's intervals.
   */
  private static void appendCpu(
      StringBuilder out, SimOptions o, FleetSimulator.StepResult s, Map<String, Double> idleCores) {
    Map<LoadDriver.Kind, LatencyStats> st = s.stats();
    long registry =
        st.get(LoadDriver.Kind.PEERS).count()
            + st.get(LoadDriver.Kind.PEERS_WAIT).count()
            + st.get(LoadDriver.Kind.STATUS).count()
            + st.get(LoadDriver.Kind.CHURN).count();
    Map<String, Long> served =
        Map.of(
            "device-registry",
            registry,
            "dns-api",
            st.get(LoadDriver.Kind.DNS).count(),
            "relay-coordinator",
            st.get(LoadDriver.Kind.RELAY).count());
    long all = registry + served.get("dns-api") + served.get("relay-coordinator");
    out.append(
        "  CPU during the hold (cores busy; ms of CPU per request served, the no-Jetson CPU"
            + " taken off):\n");
    double server = 0;
    for (Map.Entry<String, Double> e : s.cpuSeconds().entrySet()) {
      String name = e.getKey();
      double busy = e.getValue();
      double cpu = Math.max(0, busy - idleCores.getOrDefault(name, 0.0) * s.seconds());
      Long requests = name.equals("postgresql") ? Long.valueOf(all) : served.get(name);
      if (!name.equals("simulator")) {
        server += cpu;
      }
      out.append(
          String.format(
              "    %-18s %6.2f cores%s%n",
              name,
              busy / s.seconds(),
              requests == null || requests == 0
                  ? " (the load generator)"
                  : String.format(
                      "  %.3f ms/request (%s)",
                      1000 * cpu / requests,
                      name.equals("postgresql") ? "all requests" : "its own requests")));
    }
    if (all > 0) {
      double perRequest = server / all;
      double at100k = 100_000 * perJetsonRate(o);
      out.append(
          String.format(
              "    services + PostgreSQL: %.3f ms of CPU per request; at 100,000 Jetsons with"
                  + " these intervals (%.0f requests/s) one node would need %.1f cores busy%n",
              1000 * perRequest, at100k, perRequest * at100k));
    }
  }

  /** Requests per second one Jetson makes with the run's intervals (long-poll: one per wait). */
  static double perJetsonRate(SimOptions o) {
    double peers =
        o.peerMode().equals("poll") ? 1.0 / o.peerInterval().toMillis() * 1000 : 1.0 / o.peerWait();
    return peers
        + 1000.0 / o.statusInterval().toMillis()
        + 1000.0 / o.dnsInterval().toMillis()
        + 1000.0 / o.relayInterval().toMillis()
        + o.churnPerJetsonHour() / 3600;
  }

  private static String flags(SimOptions o) {
    StringBuilder out = new StringBuilder();
    for (String module : List.of("device-registry", "dns-api", "relay-coordinator")) {
      String flags;
      try {
        flags = ServiceNode.shippedJvmFlags(o.repoRoot(), module);
      } catch (Exception e) {
        flags = "(unknown: " + e.getMessage() + ")";
      }
      out.append(out.length() == 0 ? "" : "; ").append(module).append(' ').append(flags);
    }
    return out.toString();
  }
}
