package dev.spoq.relay.fleet;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.relay.assignment.AssignmentService;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/** Registers, updates, drains and removes relays. */
@Service
public class FleetService {

  private final RelayRepository relays;
  private final AssignmentService assignments;
  private final TransactionTemplate tx;

  FleetService(RelayRepository relays, AssignmentService assignments, TransactionTemplate tx) {
    this.relays = relays;
    this.assignments = assignments;
    this.tx = tx;
  }

  @Transactional
  public Relay register(Relay relay) {
    if (!relays.insert(relay)) {
      throw ApiProblemException.conflict("A relay with id '" + relay.id() + "' already exists.");
    }
    return relays.find(relay.id()).orElseThrow();
  }

  /**
   * Replaces a relay's settings. A null admin password keeps the stored one. Shrinking the port
   * range below ports in use is refused (drain the relay first).
   */
  @Transactional
  public Relay update(String id, Relay changes) {
    Relay existing = relays.lock(id).orElseThrow(() -> notFound(id));
    int outside = relays.assignedOutside(id, changes.portRangeStart(), changes.portRangeEnd());
    if (outside > 0) {
      throw ApiProblemException.conflict(
          outside + " Jetson(s) hold ports outside the new range on this relay; drain it first.");
    }
    Relay merged =
        new Relay(
            id,
            changes.region(),
            changes.publicHost(),
            changes.bindPort(),
            changes.portRangeStart(),
            changes.portRangeEnd(),
            changes.capacity(),
            changes.adminUrl(),
            changes.adminUser(),
            changes.adminPassword() == null ? existing.adminPassword() : changes.adminPassword(),
            existing.status(),
            existing.draining(),
            existing.consecutiveFailures(),
            existing.lastCheckAt(),
            existing.lastOkAt(),
            existing.lastError(),
            existing.frpsVersion(),
            existing.clientCount(),
            existing.proxyCount());
    relays.update(merged);
    return relays.find(id).orElseThrow();
  }

  /** Stops new assignments to the relay and moves its Jetsons elsewhere (where there is room). */
  public int drain(String id) {
    tx.executeWithoutResult(
        s -> {
          relays.lock(id).orElseThrow(() -> notFound(id));
          relays.setDraining(id, true);
        });
    return assignments.evacuate(id);
  }

  @Transactional
  public Relay undrain(String id) {
    relays.lock(id).orElseThrow(() -> notFound(id));
    relays.setDraining(id, false);
    return relays.find(id).orElseThrow();
  }

  @Transactional
  public void delete(String id) {
    relays.lock(id).orElseThrow(() -> notFound(id));
    int held = relays.assignedCount(id);
    if (held > 0) {
      throw ApiProblemException.conflict(
          held + " Jetson(s) are still assigned to this relay; drain it first.");
    }
    relays.delete(id);
  }

  public Relay get(String id) {
    return relays.find(id).orElseThrow(() -> notFound(id));
  }

  public List<Relay> list() {
    return relays.findAll();
  }

  static ApiProblemException notFound(String id) {
    return ApiProblemException.notFound("No relay with that id.");
  }
}
