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
 * recent and says the UPnP mapping is active, and dns-api (not the report) says the name is
 * published on the direct path at the router's public address. The relay endpoint ({@code <relay
 * host>:<remote port>}) is offered whenever the Jetson has a relay assignment on a relay that is
 * not down. Relay goes first when the agent itself reports {@code connection.mode: "relay"} (direct
 * is not carrying its traffic), otherwise direct goes first.
 */
@Service
class ConnectionDecisionService {

  private final AssignmentRepository assignments;
  private final RelayRepository relays;
  private final String domain;
  private final Duration maxAge;
  private final Clock clock;
  private final RelaySessions sessions;
  private final PublishedDns publishedDns;

  ConnectionDecisionService(
      AssignmentRepository assignments,
      RelayRepository relays,
      RelayProperties properties,
      Clock clock,
      RelaySessions sessions,
      PublishedDns publishedDns) {
    this.sessions = sessions;
    this.publishedDns = publishedDns;
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
      String address,
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
        null,
        why,
        r.id(),
        r.region());
  }

  /**
   * Direct at the address dns-api publishes for the name (contract C6), never at an address the
   * agent merely reported: the published record must be applied, on the direct path, and equal to
   * the router's public address the agent reported (else the UPnP port is not on that address).
   * When dns-api cannot be asked, direct is not offered (fail safe): the relay still is.
   */
  private Endpoint directAtPublishedAddress(
      JetsonSummary jetson, String fqdn, StatusFacts facts, long age, List<String> notes) {
    PublishedDns.Answer answer = publishedDns.lookup(jetson.subdomain());
    if (answer.unavailable() != null) {
      notes.add(
          "direct not offered: the published address of "
              + fqdn
              + " cannot be confirmed ("
              + answer.unavailable()
              + ")");
      return null;
    }
    PublishedDns.Record record = answer.record();
    if (record == null || record.published() == null) {
      notes.add("direct not offered: dns-api publishes no address for " + fqdn + " yet");
      return null;
    }
    String published = record.published().getHostAddress();
    if (!"applied".equals(record.state())) {
      notes.add("direct not offered: the DNS change for " + fqdn + " is not applied yet");
      return null;
    }
    if (!"direct".equals(record.path())) {
      notes.add(
          "direct not offered: "
              + fqdn
              + " is published on the "
              + record.path()
              + " path ("
              + published
              + ")");
      return null;
    }
    if (!record.published().equals(PublishedDns.literal(facts.externalIp()))) {
      notes.add(
          "direct not offered: DNS for "
              + fqdn
              + " publishes "
              + published
              + ", which does not match the router's public address");
      return null;
    }
    return new Endpoint(
        "direct",
        fqdn,
        facts.externalPort(),
        Relay.hostPort(fqdn, facts.externalPort()),
        published,
        "agent reported "
            + age
            + " s ago: UPnP mapping active on external port "
            + facts.externalPort()
            + "; dns-api publishes "
            + fqdn
            + " at "
            + published
            + ("direct".equals(facts.mode()) ? "; its peers currently connect directly" : ""),
        null,
        null);
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
      } else {
        direct = directAtPublishedAddress(jetson, fqdn, facts, age, notes);
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
                  null,
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
