package dev.spoq.relay.assignment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.relay.fleet.Relay;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The assignment and rebalancing rules, on their own. Margin 50 ms, ratio 0.7, default "us". */
class RelaySelectorTest {

  private final RelaySelector selector = new RelaySelector("us", 50, 0.7);

  private static Relay relay(String id, String region, String status, boolean draining, int cap) {
    return new Relay(
        id,
        Relay.FRP,
        region,
        id + ".test",
        7000,
        40000,
        49999,
        cap,
        "http://x",
        "u",
        "p",
        status,
        draining,
        0,
        null,
        null,
        null,
        null,
        null,
        null,
        0,
        0,
        null);
  }

  private static RelaySelector.Load load(Relay r, int assigned) {
    return new RelaySelector.Load(r, assigned);
  }

  private final Relay us1 = relay("us-1", "us", Relay.UP, false, 100);
  private final Relay us2 = relay("us-2", "us", Relay.UP, false, 100);
  private final Relay eu1 = relay("eu-1", "eu", Relay.UP, false, 100);
  private final Relay asia1 = relay("asia-1", "asia", Relay.UP, false, 100);

  @Test
  void newJetsonGoesToLowestLatencyRegionThenMostFreeRelay() {
    var loads = List.of(load(us1, 10), load(us2, 5), load(eu1, 90), load(asia1, 0));
    var d = selector.decide(Optional.empty(), loads, Map.of("eu", 20.0, "us", 90.0, "asia", 200.0));
    assertThat(d.keep()).isFalse();
    assertThat(d.candidates())
        .extracting(l -> l.relay().id())
        .containsExactly("eu-1", "us-2", "us-1", "asia-1");
    assertThat(d.reason()).contains("lowest reported latency").contains("eu");
  }

  @Test
  void withoutLatencyTheDefaultRegionWinsThenFreeCapacity() {
    var loads = List.of(load(eu1, 0), load(us1, 50), load(us2, 10), load(asia1, 0));
    var d = selector.decide(Optional.empty(), loads, Map.of());
    assertThat(d.candidates())
        .extracting(l -> l.relay().id())
        .containsExactly("us-2", "us-1", "asia-1", "eu-1");
    assertThat(d.reason()).contains("default region us");
  }

  @Test
  void downDrainingUnknownAndFullRelaysTakeNoNewJetsons() {
    Relay down = relay("us-3", "us", Relay.DOWN, false, 100);
    Relay draining = relay("us-4", "us", Relay.UP, true, 100);
    Relay unknown = relay("us-5", "us", Relay.UNKNOWN, false, 100);
    var loads =
        List.of(load(down, 0), load(draining, 0), load(unknown, 0), load(us1, 100), load(eu1, 3));
    assertThat(selector.rank(loads, Map.of(), null))
        .extracting(l -> l.relay().id())
        .containsExactly("eu-1");
  }

  @Test
  void stickyUnlessAnotherRegionIsMuchBetter() {
    var loads = List.of(load(us1, 10), load(eu1, 10));
    var current = Optional.of(load(us1, 10));
    // 40 ms better: under the 50 ms margin -> stay
    assertThat(selector.decide(current, loads, Map.of("us", 100.0, "eu", 60.0)).keep()).isTrue();
    // 60 ms better but 60/150 = 0.6 >= ... fine: 90 <= 150 * 0.7 -> move
    var move = selector.decide(current, loads, Map.of("us", 150.0, "eu", 90.0));
    assertThat(move.keep()).isFalse();
    assertThat(move.reason()).contains("much faster");
    assertThat(move.candidates()).extracting(l -> l.relay().id()).containsExactly("eu-1");
    // 55 ms better but not under the ratio (245/300 > 0.7) -> stay
    assertThat(selector.decide(current, loads, Map.of("us", 300.0, "eu", 245.0)).keep()).isTrue();
    // same region, more free room elsewhere -> stay (capacity alone never moves a Jetson)
    var sameRegion = List.of(load(us1, 90), load(us2, 0));
    assertThat(selector.decide(Optional.of(load(us1, 90)), sameRegion, Map.of("us", 30.0)).keep())
        .isTrue();
  }

  @Test
  void unmeasuredCurrentRegionYieldsToAMeasuredOne() {
    var loads = List.of(load(us1, 10), load(eu1, 10));
    var d = selector.decide(Optional.of(load(us1, 10)), loads, Map.of("eu", 25.0));
    assertThat(d.keep()).isFalse();
    assertThat(d.reason()).contains("unmeasured");
  }

  @Test
  void movesOffDownDrainingOrOverfullRelays() {
    Relay down = relay("us-1", "us", Relay.DOWN, false, 100);
    Relay draining = relay("us-1", "us", Relay.UP, true, 100);
    Relay small = relay("us-1", "us", Relay.UP, false, 5);
    var others = load(us2, 0);
    assertThat(
            selector.decide(Optional.of(load(down, 1)), List.of(load(down, 1), others), Map.of()))
        .satisfies(
            d -> {
              assertThat(d.keep()).isFalse();
              assertThat(d.reason()).contains("down");
              assertThat(d.candidates()).extracting(l -> l.relay().id()).containsExactly("us-2");
            });
    assertThat(
            selector
                .decide(
                    Optional.of(load(draining, 1)), List.of(load(draining, 1), others), Map.of())
                .reason())
        .contains("draining");
    assertThat(
            selector
                .decide(Optional.of(load(small, 6)), List.of(load(small, 6), others), Map.of())
                .reason())
        .contains("over capacity");
    // exactly at capacity is fine
    assertThat(
            selector
                .decide(Optional.of(load(small, 5)), List.of(load(small, 5), others), Map.of())
                .keep())
        .isTrue();
  }

  @Test
  void unknownStatusKeepsItsJetsons() {
    Relay unknown = relay("us-1", "us", Relay.UNKNOWN, false, 100);
    assertThat(
            selector
                .decide(
                    Optional.of(load(unknown, 3)),
                    List.of(load(unknown, 3), load(us2, 0)),
                    Map.of())
                .keep())
        .isTrue();
  }

  @Test
  void effectiveCapacityIsBoundedByThePortRange() {
    Relay narrow =
        new Relay(
            "n",
            Relay.FRP,
            "us",
            "n.test",
            7000,
            40000,
            40002,
            100,
            "http://x",
            "u",
            "p",
            Relay.UP,
            false,
            0,
            null,
            null,
            null,
            null,
            null,
            null,
            0,
            0,
            null);
    assertThat(narrow.effectiveCapacity()).isEqualTo(3);
    assertThat(selector.rank(List.of(load(narrow, 3)), Map.of(), null)).isEmpty();
  }
}
