package dev.spoq.relay.usage;

import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.fleet.Relay;
import dev.spoq.relay.fleet.RelayRepository;
import dev.spoq.relay.scaling.ScalingService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Micrometer gauges (Prometheus names in brackets), refreshed after every scrape and health round:
 * relay bytes per region [{@code spoq_relay_region_traffic_bytes{region,direction}}], per relay
 * [{@code spoq_relay_relay_traffic_bytes{relay,region,direction}}], per Jetson [{@code
 * spoq_relay_jetson_traffic_bytes{jetson,direction}}, can be switched off for large fleets], region
 * utilisation / capacity / assigned [{@code spoq_relay_region_utilisation{region}}...], and relay
 * state [{@code spoq_relay_relay_up{relay,region}}].
 */
@Component
public class UsageMetrics {

  private final UsageQueries queries;
  private final ScalingService scaling;
  private final RelayRepository relays;
  private final boolean perJetson;
  private final MultiGauge regionBytes;
  private final MultiGauge relayBytes;
  private final MultiGauge jetsonBytes;
  private final MultiGauge utilisation;
  private final MultiGauge capacity;
  private final MultiGauge assigned;
  private final MultiGauge recommendation;
  private final MultiGauge relayUp;

  UsageMetrics(
      UsageQueries queries,
      ScalingService scaling,
      RelayRepository relays,
      MeterRegistry registry,
      RelayProperties properties) {
    this.queries = queries;
    this.scaling = scaling;
    this.relays = relays;
    this.perJetson = properties.relay().usage().perJetsonMetrics();
    this.regionBytes =
        MultiGauge.builder("spoq.relay.region.traffic")
            .baseUnit("bytes")
            .description("Bytes through the region's relays (frps traffic counters)")
            .register(registry);
    this.relayBytes =
        MultiGauge.builder("spoq.relay.relay.traffic")
            .baseUnit("bytes")
            .description("Bytes through one relay")
            .register(registry);
    this.jetsonBytes =
        MultiGauge.builder("spoq.relay.jetson.traffic")
            .baseUnit("bytes")
            .description("Bytes through the relays for one Jetson")
            .register(registry);
    this.utilisation =
        MultiGauge.builder("spoq.relay.region.utilisation")
            .description("Assigned Jetsons / capacity of accepting relays, 0..1")
            .register(registry);
    this.capacity =
        MultiGauge.builder("spoq.relay.region.capacity")
            .description("Slots on the region's accepting relays")
            .register(registry);
    this.assigned =
        MultiGauge.builder("spoq.relay.region.assigned")
            .description("Jetsons assigned to the region's relays")
            .register(registry);
    this.recommendation =
        MultiGauge.builder("spoq.relay.region.add.relay.recommended")
            .description("1 when the region passed the scaling threshold")
            .register(registry);
    this.relayUp =
        MultiGauge.builder("spoq.relay.relay.up")
            .description("1 when the relay's frps answered its last health poll")
            .register(registry);
  }

  public synchronized void refresh() {
    List<MultiGauge.Row<?>> regionRows = new ArrayList<>();
    for (UsageQueries.Total t : queries.perRegion()) {
      regionRows.add(MultiGauge.Row.of(Tags.of("region", t.key(), "direction", "in"), t.bytesIn()));
      regionRows.add(
          MultiGauge.Row.of(Tags.of("region", t.key(), "direction", "out"), t.bytesOut()));
    }
    regionBytes.register(regionRows, true);

    List<Relay> all = relays.findAll();
    List<MultiGauge.Row<?>> relayRows = new ArrayList<>();
    List<MultiGauge.Row<?>> upRows = new ArrayList<>();
    for (UsageQueries.Total t : queries.perRelay()) {
      String region =
          all.stream()
              .filter(r -> r.id().equals(t.key()))
              .map(Relay::region)
              .findFirst()
              .orElse("");
      relayRows.add(
          MultiGauge.Row.of(
              Tags.of("relay", t.key(), "region", region, "direction", "in"), t.bytesIn()));
      relayRows.add(
          MultiGauge.Row.of(
              Tags.of("relay", t.key(), "region", region, "direction", "out"), t.bytesOut()));
    }
    for (Relay r : all) {
      upRows.add(
          MultiGauge.Row.of(Tags.of("relay", r.id(), "region", r.region()), r.isUp() ? 1 : 0));
    }
    relayBytes.register(relayRows, true);
    relayUp.register(upRows, true);

    if (perJetson) {
      List<MultiGauge.Row<?>> jetsonRows = new ArrayList<>();
      for (UsageQueries.PerJetson j : queries.perJetson()) {
        String id = j.jetsonId().toString();
        jetsonRows.add(MultiGauge.Row.of(Tags.of("jetson", id, "direction", "in"), j.bytesIn()));
        jetsonRows.add(MultiGauge.Row.of(Tags.of("jetson", id, "direction", "out"), j.bytesOut()));
      }
      jetsonBytes.register(jetsonRows, true);
    }

    List<MultiGauge.Row<?>> util = new ArrayList<>();
    List<MultiGauge.Row<?>> cap = new ArrayList<>();
    List<MultiGauge.Row<?>> asg = new ArrayList<>();
    List<MultiGauge.Row<?>> rec = new ArrayList<>();
    for (ScalingService.Region r : scaling.regions()) {
      Tags tags = Tags.of("region", r.region());
      util.add(MultiGauge.Row.of(tags, r.utilisation()));
      cap.add(MultiGauge.Row.of(tags, r.capacity()));
      asg.add(MultiGauge.Row.of(tags, r.assigned()));
      rec.add(MultiGauge.Row.of(tags, "ADD_RELAY".equals(r.recommendation()) ? 1 : 0));
    }
    utilisation.register(util, true);
    capacity.register(cap, true);
    assigned.register(asg, true);
    recommendation.register(rec, true);
  }
}
