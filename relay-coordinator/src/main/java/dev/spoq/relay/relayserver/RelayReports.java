package dev.spoq.relay.relayserver;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.relay.audit.Audit;
import dev.spoq.relay.fleet.Relay;
import dev.spoq.relay.fleet.RelayRepository;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What a relay-server's report means here: the relay is UP (it goes DOWN after {@code
 * spoq.relay.spoq.report-timeout} of silence, see HealthPoller), its live sessions replace the
 * previous ones, and each Jetson's usage grows by its counters' increase. Sessions of Jetsons not
 * assigned to that relay are ignored (and counted in the log).
 */
@Service
class RelayReports {

  private static final Logger log = LoggerFactory.getLogger(RelayReports.class);
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private final RelayServerRepository repository;
  private final RelayRepository relays;
  private final Audit audit;
  private final Clock clock;

  RelayReports(RelayServerRepository repository, RelayRepository relays, Audit audit, Clock clock) {
    this.repository = repository;
    this.relays = relays;
    this.audit = audit;
    this.clock = clock;
  }

  @Transactional
  public void record(Relay relay, RelayServerController.Report report) {
    Instant now = clock.instant();
    if (report.startedAt().isAfter(now.plus(CLOCK_SKEW))) {
      throw ApiProblemException.invalid("startedAt lies in the future.");
    }
    Set<UUID> seen = new HashSet<>();
    for (RelayServerController.SessionReport s : report.sessions()) {
      if (!seen.add(s.jetsonId())) {
        throw ApiProblemException.invalid("Each Jetson may appear once per report.");
      }
      if (!validAgentAddress(s.agentAddress())) {
        throw ApiProblemException.invalid("agentAddress must be ip:port.");
      }
    }
    repository.lockRelay(relay.id());
    Set<UUID> assigned = repository.assignedTo(relay.id());
    List<Object[]> sessions = new ArrayList<>();
    List<Object[]> usage = new ArrayList<>();
    Timestamp at = Timestamp.from(now);
    Timestamp epoch = Timestamp.from(report.startedAt());
    int ignored = 0;
    for (RelayServerController.SessionReport s : report.sessions()) {
      if (!assigned.contains(s.jetsonId())) {
        ignored++;
        continue;
      }
      sessions.add(
          new Object[] {
            relay.id(),
            s.jetsonId(),
            s.agentAddress(),
            Timestamp.from(s.upSince()),
            s.clients(),
            s.bytesToJetson(),
            s.bytesFromJetson(),
            at
          });
      usage.add(
          new Object[] {
            relay.id(),
            s.jetsonId(),
            (double) s.bytesToJetson(),
            (double) s.bytesFromJetson(),
            s.bytesToJetson(),
            s.bytesFromJetson(),
            epoch
          });
    }
    repository.replaceSessions(relay.id(), sessions);
    repository.addUsage(usage);
    String before = relays.recordReport(relay.id(), now, report.startedAt(), sessions.size());
    if (ignored > 0) {
      log.warn(
          "relay {} reported {} session(s) of Jetsons not assigned to it (ignored)",
          relay.id(),
          ignored);
    }
    if (before != null && !Relay.UP.equals(before)) {
      log.info("relay {} is UP (was {}): it reports", relay.id(), before);
      audit.record(
          "service:relay-coordinator",
          "relay.up",
          "relay:" + relay.id(),
          null,
          "SUCCESS",
          Map.of("was", before, "kind", Relay.SPOQ));
    }
  }

  /** {@code a.b.c.d:port} or {@code [v6]:port}, parsed without any DNS query. */
  static boolean validAgentAddress(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 1 || colon == text.length() - 1) {
      return false;
    }
    String host = text.substring(0, colon);
    String port = text.substring(colon + 1);
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
      return false;
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
      if (!host.contains(":")) {
        return false;
      }
    } else if (!host.matches(
        "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}")) {
      return false;
    }
    try {
      InetAddress.getByName(host);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
