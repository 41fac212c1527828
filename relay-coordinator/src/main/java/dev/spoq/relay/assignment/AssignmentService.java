package dev.spoq.relay.assignment;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.fleet.Relay;
import dev.spoq.relay.fleet.RelayRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Gives each Jetson a relay and a remote UDP port, and moves it when the rules say so (see {@link
 * RelaySelector}). Concurrency: one Jetson's changes are serialised by an advisory lock; every port
 * hand-out on a relay happens with that relay's row locked (so capacity holds); and the {@code
 * UNIQUE (relay_id, remote_port)} constraint is the last word. Conflicts are retried.
 */
@Service
public class AssignmentService {

  private static final Logger log = LoggerFactory.getLogger(AssignmentService.class);
  private static final int ATTEMPTS = 8;

  private final AssignmentRepository assignments;
  private final RelayRepository relays;
  private final LatencyRepository latencies;
  private final TransactionTemplate tx;
  private final RelaySelector selector;
  private final RelayProperties.Assignment settings;
  private final Clock clock;
  private final JetsonSetChanges jetsonSets;
  private final RelayLoads relayLoads;

  AssignmentService(
      AssignmentRepository assignments,
      RelayRepository relays,
      LatencyRepository latencies,
      TransactionTemplate tx,
      RelayProperties properties,
      Clock clock,
      JetsonSetChanges jetsonSets,
      RelayLoads loads) {
    this.jetsonSets = jetsonSets;
    this.relayLoads = loads;
    this.assignments = assignments;
    this.relays = relays;
    this.latencies = latencies;
    this.tx = tx;
    this.settings = properties.relay().assignment();
    this.selector =
        new RelaySelector(
            properties.relay().defaultRegion(),
            settings.muchBetterMarginMs(),
            settings.muchBetterRatio());
    this.clock = clock;
  }

  /** A Jetson's assignment with its relay and the ordered fallbacks. */
  public record Placement(
      Assignment assignment, Relay relay, List<Relay> fallbacks, boolean changed) {}

  /** Creates, keeps or moves the Jetson's assignment, following the rules. */
  public Placement place(UUID jetsonId) {
    for (int attempt = 1; ; attempt++) {
      try {
        Placement placement = tx.execute(status -> placeInTransaction(jetsonId));
        if (placement.changed()) {
          relayLoads.changed();
          jetsonSets.changed();
        }
        return placement;
      } catch (DataIntegrityViolationException | ConcurrencyFailureException e) {
        if (attempt >= ATTEMPTS) {
          throw e;
        }
        log.debug("assignment of {} conflicted (attempt {}), retrying", jetsonId, attempt);
      }
    }
  }

  /** The Jetson's current assignment, without changing anything. */
  public Optional<Assignment> current(UUID jetsonId) {
    return assignments.find(jetsonId);
  }

  /**
   * Moves every Jetson off a relay that is down or draining. A Jetson for whom no other relay has
   * room stays (and is moved by a later call, or when it asks for its assignment).
   *
   * @return how many Jetsons moved
   */
  public int evacuate(String relayId) {
    int moved = 0;
    for (Assignment a : assignments.onRelay(relayId)) {
      Placement p = place(a.jetsonId());
      if (!p.assignment().relayId().equals(relayId)) {
        moved++;
      }
    }
    return moved;
  }

  /** Per region, the up relay with the most free room: where agents measure their latency. */
  public List<Relay> probes() {
    Map<String, Integer> counts = relayLoads.counts();
    Map<String, Relay> best = new java.util.TreeMap<>();
    Map<String, Integer> bestFree = new java.util.HashMap<>();
    for (Relay r : relays.findAll()) {
      if (!r.isUp()) {
        continue;
      }
      int free = r.effectiveCapacity() - counts.getOrDefault(r.id(), 0);
      if (!best.containsKey(r.region()) || free > bestFree.get(r.region())) {
        best.put(r.region(), r);
        bestFree.put(r.region(), free);
      }
    }
    return List.copyOf(best.values());
  }

  /** Stores the Jetson's WireGuard public key (for its spoq relay's Jetson set). */
  public void saveKey(UUID jetsonId, String publicKey) {
    tx.executeWithoutResult(s -> assignments.saveKey(jetsonId, publicKey));
  }

  /** Takes a revoked Jetson out of every relay-server's Jetson set. */
  public boolean markRevoked(UUID jetsonId) {
    Integer changed = tx.execute(s -> assignments.markRevoked(jetsonId));
    if (changed != null && changed > 0) {
      jetsonSets.changed();
      return true;
    }
    return false;
  }

  public void recordLatency(UUID jetsonId, Map<String, Double> rttByRegion) {
    Instant now = clock.instant();
    tx.executeWithoutResult(
        status -> rttByRegion.forEach((region, rtt) -> latencies.save(jetsonId, region, rtt, now)));
  }

  private Placement placeInTransaction(UUID jetsonId) {
    assignments.lockJetson(jetsonId);
    Optional<Assignment> existing = assignments.find(jetsonId);
    List<Relay> all = relays.findAll();
    Map<String, Double> rtts =
        latencies.fresh(jetsonId, clock.instant().minus(settings.latencyMaxAge()));
    // Most calls keep the relay: decided on counts up to a second old (RelayLoads). Any other
    // outcome is decided again on exact counts, so a placement or move never rests on stale ones.
    List<RelaySelector.Load> loads = loads(all, relayLoads.counts());
    Optional<RelaySelector.Load> current = currentLoad(existing, loads);
    RelaySelector.Decision decision = selector.decide(current, loads, rtts);
    if (!decision.keep()) {
      loads = loads(all, relays.assignedCounts());
      current = currentLoad(existing, loads);
      decision = selector.decide(current, loads, rtts);
    }
    if (decision.keep()) {
      Relay relay = current.get().relay();
      return new Placement(existing.get(), relay, relaysOf(decision.candidates()), false);
    }
    for (RelaySelector.Load candidate : decision.candidates()) {
      Relay locked = relays.lock(candidate.relay().id()).orElse(null);
      if (locked == null || !locked.acceptsNewJetsons()) {
        continue;
      }
      if (relays.assignedCount(locked.id()) >= locked.effectiveCapacity()) {
        continue;
      }
      OptionalInt port =
          locked.isSpoq()
              ? OptionalInt.of(0)
              : assignments.freePort(locked.id(), locked.portRangeStart(), locked.portRangeEnd());
      if (port.isEmpty()) {
        continue;
      }
      Integer remotePort = locked.isSpoq() ? null : port.getAsInt();
      String reason =
          existing.isEmpty()
              ? decision.reason()
              : "moved from " + existing.get().relayId() + ": " + decision.reason();
      assignments.upsert(jetsonId, locked.id(), remotePort, reason);
      Assignment placed = assignments.find(jetsonId).orElseThrow();
      List<Relay> fallbacks = relaysOf(selector.rank(loads, rtts, locked.id()));
      if (existing.isPresent()) {
        log.info(
            "jetson {} moved from relay {} to {}:{} ({})",
            jetsonId,
            existing.get().relayId(),
            locked.id(),
            remotePort,
            decision.reason());
      }
      return new Placement(placed, locked, fallbacks, true);
    }
    if (existing.isPresent() && current.isPresent()) {
      // Nowhere to go: stay on the (down/draining/full) relay rather than lose the port.
      return new Placement(existing.get(), current.get().relay(), List.of(), false);
    }
    throw new ApiProblemException(
        HttpStatus.SERVICE_UNAVAILABLE,
        ProblemTypes.of("no-relay-available"),
        "No relay available",
        "No relay is up with free capacity right now; try again later.");
  }

  private static List<RelaySelector.Load> loads(List<Relay> all, Map<String, Integer> counts) {
    List<RelaySelector.Load> loads = new ArrayList<>();
    for (Relay r : all) {
      loads.add(new RelaySelector.Load(r, counts.getOrDefault(r.id(), 0)));
    }
    return loads;
  }

  private static Optional<RelaySelector.Load> currentLoad(
      Optional<Assignment> existing, List<RelaySelector.Load> loads) {
    return existing.flatMap(
        a -> loads.stream().filter(l -> l.relay().id().equals(a.relayId())).findFirst());
  }

  private static List<Relay> relaysOf(List<RelaySelector.Load> loads) {
    return loads.stream().map(RelaySelector.Load::relay).limit(5).toList();
  }
}
