package dev.spoq.relay.assignment;

import dev.spoq.relay.fleet.Relay;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The assignment rules, free of I/O so they can be tested on their own.
 *
 * <p>Ranking of candidate relays (best first): lower RTT the Jetson reported for the relay's region
 * (regions without a fresh report come after every measured one); then the configured default
 * region; then more free slots; then relay id. In practice: with latency reports, the fastest
 * region wins and free capacity picks among its relays; without any report the default region wins
 * and free capacity picks among its relays.
 *
 * <p>Stickiness: a Jetson keeps its relay unless that relay is DOWN or draining (or gone), is over
 * its capacity, or another eligible relay is "much better": its region's RTT is lower by at least
 * {@code marginMs} AND is at most {@code ratio} times the current region's RTT (an unmeasured
 * current region counts as infinitely slow once another region is measured).
 */
public final class RelaySelector {

  /** A relay with the number of Jetsons it holds now. */
  public record Load(Relay relay, int assigned) {
    int free() {
      return relay.effectiveCapacity() - assigned;
    }
  }

  /** The outcome for one Jetson. */
  public record Decision(boolean keep, String reason, List<Load> candidates) {}

  private final String defaultRegion;
  private final double marginMs;
  private final double ratio;

  public RelaySelector(String defaultRegion, double marginMs, double ratio) {
    this.defaultRegion = defaultRegion;
    this.marginMs = marginMs;
    this.ratio = ratio;
  }

  /** Relays that may take a new Jetson, best first. */
  public List<Load> rank(List<Load> loads, Map<String, Double> rtts, String excludeRelayId) {
    return loads.stream()
        .filter(l -> l.relay().acceptsNewJetsons() && l.free() > 0)
        .filter(l -> !l.relay().id().equals(excludeRelayId))
        .sorted(order(rtts))
        .toList();
  }

  /**
   * Whether the Jetson stays where it is ({@code current} empty = it has no relay yet), and if not,
   * the candidates to try in order.
   */
  public Decision decide(Optional<Load> current, List<Load> loads, Map<String, Double> rtts) {
    if (current.isEmpty()) {
      List<Load> ranked = rank(loads, rtts, null);
      return new Decision(false, firstReason(ranked, rtts), ranked);
    }
    Load here = current.get();
    Relay relay = here.relay();
    List<Load> others = rank(loads, rtts, relay.id());
    if (Relay.DOWN.equals(relay.status())) {
      return new Decision(false, "relay " + relay.id() + " is down", others);
    }
    if (relay.draining()) {
      return new Decision(false, "relay " + relay.id() + " is draining", others);
    }
    if (here.assigned() > relay.effectiveCapacity()) {
      return new Decision(false, "relay " + relay.id() + " is over capacity", others);
    }
    if (!others.isEmpty()) {
      Load best = others.get(0);
      double bestRtt = rtt(best.relay(), rtts);
      double currentRtt = rtt(relay, rtts);
      if (Double.isFinite(bestRtt)
          && (!Double.isFinite(currentRtt)
              || (currentRtt - bestRtt >= marginMs && bestRtt <= currentRtt * ratio))) {
        String was = Double.isFinite(currentRtt) ? fmt(currentRtt) + " ms" : "unmeasured";
        return new Decision(
            false,
            "region "
                + best.relay().region()
                + " is much faster ("
                + fmt(bestRtt)
                + " ms vs "
                + was
                + " in "
                + relay.region()
                + ")",
            others);
      }
    }
    return new Decision(true, "sticky", others);
  }

  private String firstReason(List<Load> ranked, Map<String, Double> rtts) {
    if (ranked.isEmpty()) {
      return "no relay available";
    }
    Relay best = ranked.get(0).relay();
    double rtt = rtt(best, rtts);
    if (Double.isFinite(rtt)) {
      return "lowest reported latency: region " + best.region() + " (" + fmt(rtt) + " ms)";
    }
    if (best.region().equals(defaultRegion)) {
      return "no latency reported: default region " + defaultRegion;
    }
    return "no latency reported and no room in the default region: region " + best.region();
  }

  private Comparator<Load> order(Map<String, Double> rtts) {
    return Comparator.<Load>comparingDouble(l -> rtt(l.relay(), rtts))
        .thenComparing(l -> l.relay().region().equals(defaultRegion) ? 0 : 1)
        .thenComparing(Comparator.comparingInt(Load::free).reversed())
        .thenComparing(l -> l.relay().id());
  }

  static double rtt(Relay relay, Map<String, Double> rtts) {
    Double rtt = rtts.get(relay.region());
    return rtt == null ? Double.POSITIVE_INFINITY : rtt;
  }

  private static String fmt(double ms) {
    return ms == Math.rint(ms) ? String.valueOf((long) ms) : String.format("%.1f", ms);
  }
}
