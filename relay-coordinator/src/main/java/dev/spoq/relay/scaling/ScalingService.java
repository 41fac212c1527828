package dev.spoq.relay.scaling;

import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.fleet.Relay;
import dev.spoq.relay.fleet.RelayRepository;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Service;

/**
 * Per-region utilisation: Jetsons assigned to the region's relays divided by the capacity of its
 * relays that take new Jetsons (UP and not draining; a relay's capacity is bounded by its UDP port
 * range). A region whose utilisation reaches the threshold (default 80%), or that has Jetsons or
 * relays but no usable capacity, gets the recommendation {@code ADD_RELAY}.
 */
@Service
public class ScalingService {

  private final RelayRepository relays;
  private final double threshold;

  ScalingService(RelayRepository relays, RelayProperties properties) {
    this.relays = relays;
    this.threshold = properties.relay().scaling().threshold();
  }

  public record Region(
      String region,
      int relays,
      int relaysAccepting,
      int capacity,
      int assigned,
      double utilisation,
      double threshold,
      String recommendation,
      String detail) {}

  public List<Region> regions() {
    Map<String, Integer> counts = relays.assignedCounts();
    Map<String, int[]> byRegion = new TreeMap<>();
    for (Relay r : relays.findAll()) {
      int[] agg = byRegion.computeIfAbsent(r.region(), k -> new int[4]);
      agg[0]++;
      if (r.acceptsNewJetsons()) {
        agg[1]++;
        agg[2] += r.effectiveCapacity();
      }
      agg[3] += counts.getOrDefault(r.id(), 0);
    }
    List<Region> out = new ArrayList<>();
    byRegion.forEach(
        (region, agg) -> {
          int capacity = agg[2];
          int assigned = agg[3];
          double utilisation = capacity == 0 ? 1.0 : Math.min(1.0, (double) assigned / capacity);
          boolean add = utilisation >= threshold;
          String detail;
          if (capacity == 0) {
            detail = "no relay in this region is up and accepting Jetsons";
          } else if (add) {
            detail =
                String.format(
                    "%d of %d slots used (%.0f%%), at or above the %.0f%% threshold: add a relay",
                    assigned, capacity, utilisation * 100, threshold * 100);
          } else {
            detail =
                String.format(
                    "%d of %d slots used (%.0f%%)", assigned, capacity, utilisation * 100);
          }
          out.add(
              new Region(
                  region,
                  agg[0],
                  agg[1],
                  capacity,
                  assigned,
                  utilisation,
                  threshold,
                  add ? "ADD_RELAY" : "OK",
                  detail));
        });
    return out;
  }
}
