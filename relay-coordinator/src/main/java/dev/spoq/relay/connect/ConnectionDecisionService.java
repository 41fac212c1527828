package dev.spoq.relay.connect;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.spoq.common.registry.JetsonStatus;
import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.relay.assignment.Assignment;
import dev.spoq.relay.assignment.AssignmentRepository;
import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.fleet.Relay;
import dev.spoq.relay.fleet.RelayRepository;
import dev.spoq.relay.relayserver.RelaySessions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Which endpoints a client should try now, in order, with the reason for each. Direct ({@code
 * <subdomain>.<domain>:<upnp.external_port>}) is offered when the agent's last status report is
 * recent and says the UPnP mapping is active and DNS points at the router's public address. The
 * relay endpoint ({@code <relay host>:<remote port>}) is offered whenever the Jetson has a relay
 * assignment on a relay that is not down. Relay goes first when the agent itself reports {@code
 * connection.mode: "relay"} (direct is not carrying its traffic), otherwise direct goes first.
 */
@Service
class ConnectionDecisionService {

  private final AssignmentRepository assignments;
  private final RelayRepository relays;
  private final String domain;
  private final Duration maxAge;
  private final Clock clock;
  private final RelaySessions sessions;

  ConnectionDecisionService(
      AssignmentRepository assignments,
      RelayRepository relays,
      RelayProperties properties,
      Clock clock,
      RelaySessions sessions) {
    this.sessions = sessions;
    this.assignments = assignments;
    this.relays = relays;
    this.domain = properties.domain();
    this.maxAge = properties.relay().connect().statusMaxAge();
    this.clock = clock;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Endpoint(
      String type,
      String host,
      int port,
      String endpoint,
      String reason,
      String relayId,
      String region) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Decision(
      String subdomain,
      String fqdn,
      String jetsonId,
      Instant decidedAt,
      Instant statusReceivedAt,
      Long statusAgeSeconds,
      List<Endpoint> endpoints,
      List<String> notes) {}

  /**
   * A spoq relay: clients use the relay's WireGuard port (51820), which stock clients reach through
   * DNS once the agent points the name at the relay.
   */
  private Endpoint spoqEndpoint(Relay r, JetsonSummary jetson) {
    String why = "relay-server " + r.id() + " (region " + r.region() + ")";
    Optional<RelaySessions.Live> live = sessions.live(r, jetson.jetsonId());
    if (live.isPresent()) {
      why +=
          "; the relay reports a live agent session since "
              + live.get().upSince()
              + " ("
              + live.get().clients()
              + " client(s))";
    } else {
      why += "; the relay reports no live agent session for this Jetson";
    }
    return new Endpoint(
        "relay",
        r.publicHost(),
        r.wgPort(),
        Relay.hostPort(r.publicHost(), r.wgPort()),
        why,
        r.id(),
        r.region());
  }

  Decision decide(JetsonSummary jetson, Optional<JetsonStatus> status) {
    Instant now = clock.instant();
    List<String> notes = new ArrayList<>();
    String fqdn = jetson.subdomain() + "." + domain;

    Endpoint direct = null;
    StatusFacts facts = null;
    Long age = null;
    if (status.isEmpty() || status.get().receivedAt() == null) {
      notes.add("direct not offered: the agent has not reported its status");
    } else {
      age = Duration.between(status.get().receivedAt(), now).toSeconds();
      facts = StatusFacts.read(status.get().report());
      if (Duration.between(status.get().receivedAt(), now).compareTo(maxAge) > 0) {
        notes.add(
            "direct not offered: the last status report is "
                + age
                + " s old (limit "
                + maxAge.toSeconds()
                + " s)");
      } else if (!facts.upnpActive()) {
        notes.add("direct not offered: the agent reports no active UPnP port mapping");
      } else if (facts.externalPort() == null || !facts.externalIpValid()) {
        notes.add("direct not offered: the report lacks a valid upnp.external_ip/external_port");
      } else if (!facts.dnsMatchesPublicIp()) {
        notes.add(
            "direct not offered: DNS for "
                + fqdn
                + " does not point at the router's public address");
      } else {
        direct =
            new Endpoint(
                "direct",
                fqdn,
                facts.externalPort(),
                Relay.hostPort(fqdn, facts.externalPort()),
                "agent reported "
                    + age
                    + " s ago: UPnP mapping active on external port "
                    + facts.externalPort()
                    + " and "
                    + fqdn
                    + " points at the public address "
                    + facts.externalIp()
                    + ("direct".equals(facts.mode())
                        ? "; its peers currently connect directly"
                        : ""),
                null,
                null);
      }
    }

    Endpoint relay = null;
    Optional<Assignment> assignment = assignments.find(jetson.jetsonId());
    if (assignment.isEmpty()) {
      notes.add("relay not offered: the Jetson has no relay assignment yet");
    } else {
      Relay r = relays.find(assignment.get().relayId()).orElse(null);
      if (r == null || Relay.DOWN.equals(r.status())) {
        notes.add("relay not offered: the Jetson's relay is down");
      } else {
        String why = "relay " + r.id() + " (region " + r.region() + ")";
        if (r.isSpoq()) {
          relay = spoqEndpoint(r, jetson);
        } else if (facts != null && Boolean.TRUE.equals(facts.relayConnected())) {
          why += "; the agent reports frpc connected";
        } else if (facts != null && Boolean.FALSE.equals(facts.relayConnected())) {
          why += "; the agent reported frpc NOT connected at its last report";
        }
        if (!r.isSpoq()) {
          if (assignment.get().proxyOpen()) {
            why += "; frps opened the Jetson's UDP proxy";
          }
          int port = assignment.get().remotePort();
          relay =
              new Endpoint(
                  "relay",
                  r.publicHost(),
                  port,
                  Relay.hostPort(r.publicHost(), port),
                  why,
                  r.id(),
                  r.region());
        }
      }
    }

    List<Endpoint> endpoints = new ArrayList<>();
    boolean relayFirst = facts != null && "relay".equals(facts.mode());
    if (relayFirst && relay != null) {
      endpoints.add(relay);
      notes.add("relay first: the agent reports connection.mode = relay");
    }
    if (facts != null && "offline".equals(facts.mode())) {
      notes.add("the agent reported connection.mode = offline at its last report");
    }
    if (direct != null) {
      endpoints.add(direct);
    }
    if (!relayFirst && relay != null) {
      endpoints.add(relay);
    }
    return new Decision(
        jetson.subdomain(),
        fqdn,
        jetson.jetsonId().toString(),
        now,
        status.map(JetsonStatus::receivedAt).orElse(null),
        age,
        endpoints,
        notes);
  }
}
