package dev.spoq.fleetsim;

import java.util.List;
import java.util.Map;

/** The printed figures of a run. */
final class Report {

  private Report() {}

  static String render(SimOptions o, List<FleetSimulator.StepResult> steps, List<String> notes) {
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
      for (LatencyStats st : s.stats().values()) {
        for (String sample : st.errorSamples()) {
          out.append("  error sample: ").append(sample).append('\n');
        }
      }
      out.append(
          String.format(
              "  PostgreSQL client connections (max): %d open, %d running a statement%n",
              s.pgConnectionsMax(), s.pgActiveMax()));
      out.append("  RSS (max):");
      s.rssMaxBytes().forEach((n, b) -> out.append(String.format(" %s %d MiB;", n, b >> 20)));
      out.append(
          String.format("%n  simulator requests in flight (max sampled): %d%n", s.inFlightMax()));
    }
    out.append(String.format("%nLargest N held: %,d%n", reached));
    for (String note : notes) {
      out.append('\n').append(note);
    }
    return out.toString();
  }

  private static String flags(SimOptions o) {
    try {
      return ServiceNode.shippedJvmFlags(o.repoRoot());
    } catch (Exception e) {
      return "(unknown: " + e.getMessage() + ")";
    }
  }
}
