package dev.spoq.relay.fleet;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.token.Tokens;
import dev.spoq.relay.assignment.AssignmentService;
import java.util.List;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/** Registers, updates, drains and removes relays. */
@Service
public class FleetService {

  /** Prefix of a relay-server's bearer token. */
  public static final String RELAY_TOKEN_PREFIX = "spoq_rls";

  private final RelayRepository relays;
  private final AssignmentService assignments;
  private final TransactionTemplate tx;

  FleetService(RelayRepository relays, AssignmentService assignments, TransactionTemplate tx) {
    this.relays = relays;
    this.assignments = assignments;
    this.tx = tx;
  }

  /** A newly registered relay and, for a spoq relay, its token (shown this once). */
  public record Registered(Relay relay, String relayToken) {}

  @Transactional
  public Registered register(Relay relay) {
    String token = relay.isSpoq() ? Tokens.generate(RELAY_TOKEN_PREFIX) : null;
    if (!relays.insert(relay, token == null ? null : Tokens.hash(token))) {
      throw ApiProblemException.conflict("A relay with id '" + relay.id() + "' already exists.");
    }
    return new Registered(relays.find(relay.id()).orElseThrow(), token);
  }

  /** Replaces a spoq relay's token: the old one is refused from now on. */
  @Transactional
  public String rotateToken(String id) {
    Relay relay = relays.lock(id).orElseThrow(() -> notFound(id));
    if (!relay.isSpoq()) {
      throw ApiProblemException.conflict(
          "Only spoq relays have a relay token; frp relays authenticate through the frps plugin.");
    }
    String token = Tokens.generate(RELAY_TOKEN_PREFIX);
    relays.setTokenHash(id, Tokens.hash(token));
    return token;
  }

  /**
   * Replaces a relay's settings. A null admin password keeps the stored one. Shrinking the port
   * range below ports in use is refused (drain the relay first).
   */
  @Transactional
  public Relay update(String id, Relay changes) {
    Relay existing = relays.lock(id).orElseThrow(() -> notFound(id));
    if (!existing.kind().equals(changes.kind())) {
      throw ApiProblemException.conflict(
          "A relay's kind cannot change; register a new relay and drain this one.");
    }
    int outside =
        existing.isSpoq()
            ? 0
            : relays.assignedOutside(id, changes.portRangeStart(), changes.portRangeEnd());
    if (outside > 0) {
      throw ApiProblemException.conflict(
          outside + " Jetson(s) hold ports outside the new range on this relay; drain it first.");
    }
    Relay merged =
        new Relay(
            id,
            existing.kind(),
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
            existing.proxyCount(),
            changes.wgPort(),
            changes.agentPort(),
            existing.lastReportAt());
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
