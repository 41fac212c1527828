package dev.spoq.agent.status;

import dev.spoq.agent.ddns.DdnsClient;
import dev.spoq.agent.health.PathMonitor;
import dev.spoq.agent.publicip.PublicIpMonitor;
import dev.spoq.agent.registry.Peer;
import dev.spoq.agent.relay.FrpcSupervisor;
import dev.spoq.agent.relay.RelayAssignment;
import dev.spoq.agent.relay.SpoqRelaySession;
import dev.spoq.agent.state.AgentState;
import dev.spoq.agent.upnp.UpnpMapper;
import dev.spoq.agent.util.Json;
import dev.spoq.agent.wireguard.WgDump;
import dev.spoq.agent.wireguard.WireGuardManager;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The status document: the seed's {@code GET /api/device/status} shape (wireguard, upnp, relay,
 * dns) plus {@code path} ("direct" | "relay" | "none"), public_ip, health and agent sections. The
 * same document is pushed to the registry; the relay-coordinator reads {@code path}, {@code
 * upnp.external_ip/external_port} and {@code relay} from it for the connection decision.
 */
public final class StatusReport {

  private StatusReport() {}

  public static ObjectNode build(
      Instant now,
      AgentState state,
      WireGuardManager wg,
      List<Peer> peers,
      UpnpMapper.Snapshot upnp,
      PublicIpMonitor.Observation publicIp,
      DdnsClient.Snapshot dns,
      FrpcSupervisor.Snapshot relay,
      SpoqRelaySession.Snapshot session,
      RelayAssignment assignment,
      String relayError,
      Map<String, Long> relayLatency,
      PathMonitor path,
      String registryError,
      int queuedReports,
      Instant lastReport) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    Optional<WgDump> dump = wg.dump();

    ObjectNode w = root.putObject("wireguard");
    w.put("interface", wg.interfaceName());
    w.put("up", dump.isPresent());
    w.put("implementation", wg.implementation());
    w.put("public_key", wg.publicKey());
    w.put("address", state.address());
    w.put("listen_port", dump.map(WgDump::listenPort).orElse(state.listenPort()));
    ArrayNode list = w.putArray("peers");
    for (Peer peer : peers) {
      ObjectNode p = list.addObject();
      p.put("name", peer.name());
      p.put("public_key", peer.publicKey());
      p.put("allowed_ips", String.join(",", peer.allowedIps()));
      Optional<WgDump.PeerStats> stats =
          dump.flatMap(
              d ->
                  d.peers().stream()
                      .filter(s -> s.publicKey().equals(peer.publicKey()))
                      .findFirst());
      p.put("endpoint", stats.map(WgDump.PeerStats::endpoint).orElse(null));
      p.put(
          "last_handshake",
          stats.map(WgDump.PeerStats::latestHandshake).map(Instant::toString).orElse(null));
      p.put("transfer_rx", stats.map(WgDump.PeerStats::transferRx).orElse(0L));
      p.put("transfer_tx", stats.map(WgDump.PeerStats::transferTx).orElse(0L));
    }

    ObjectNode u = root.putObject("upnp");
    u.put("status", upnp.status());
    u.put("external_ip", upnp.externalIp());
    if (upnp.externalPort() == null) {
      u.putNull("external_port");
    } else {
      u.put("external_port", upnp.externalPort());
    }
    u.put("internal_port", upnp.internalPort());
    u.put("gateway", upnp.gateway());
    u.put("local_address", upnp.localAddress());
    u.put("lease_seconds", upnp.leaseSeconds());
    u.put("last_refresh", upnp.lastRefresh() == null ? null : upnp.lastRefresh().toString());
    u.put("error", upnp.error());
    u.put("lost_at", upnp.lostAt() == null ? null : upnp.lostAt().toString());
    u.put("control_url", upnp.controlUrl());

    ObjectNode r = root.putObject("relay");
    boolean spoq = session.open();
    r.put("kind", spoq ? RelayAssignment.SPOQ : assignment == null ? null : assignment.kind());
    r.put("connected", spoq ? session.up() : relay.connected());
    r.put(
        "server",
        assignment != null
            ? assignment.server()
            : spoq ? session.relayAddress() + ":" + session.wgPort() : null);
    r.put("relay_id", spoq ? session.relayId() : assignment == null ? null : assignment.relayId());
    r.put("region", assignment == null ? null : assignment.region());
    if (spoq) {
      ObjectNode sn = r.putObject("session");
      var st = session.status();
      sn.put("state", st.state().name().toLowerCase());
      sn.put("relay_address", session.relayAddress());
      sn.put("up_since", st.upSince() == null ? null : st.upSince().toString());
      sn.put(
          "last_heard",
          st.lastHeardFromRelay() == null ? null : st.lastHeardFromRelay().toString());
      sn.put("clients", st.clients());
      sn.put("bytes_to_jetson", st.bytesToJetson());
      sn.put("bytes_from_jetson", st.bytesFromJetson());
      sn.put("error", st.lastError());
    }
    if (assignment == null || assignment.remotePort() <= 0) {
      r.putNull("remote_port");
    } else {
      r.put("remote_port", assignment.remotePort());
    }
    r.put("frpc_running", relay.running());
    r.put("proxy_status", relay.proxyStatus());
    r.put("restarts", relay.restarts());
    r.put("error", relayError);
    r.set("latency_ms", Json.MAPPER.valueToTree(relayLatency));

    ObjectNode d = root.putObject("dns");
    d.put("subdomain", dns.subdomain());
    d.put("points_to", dns.pointsTo());
    d.put("last_update", dns.lastUpdate() == null ? null : dns.lastUpdate().toString());
    d.set("resolves_to", Json.MAPPER.valueToTree(dns.resolvesTo()));
    if (dns.matches() == null) {
      d.putNull("matches");
    } else {
      d.put("matches", dns.matches());
    }
    d.put("pending", dns.pending());
    d.put("updates", dns.updates());
    d.put("error", dns.error());
    d.put("path", dns.path());

    ObjectNode ip = root.putObject("public_ip");
    ip.put("address", publicIp == null ? null : publicIp.address());
    ip.set("sources", Json.MAPPER.valueToTree(publicIp == null ? Map.of() : publicIp.sources()));
    ip.put("agree", publicIp == null || publicIp.agree());
    ip.put("cgnat", publicIp != null && publicIp.cgnat());

    root.put("path", path.path().wire());
    ObjectNode c = root.putObject("connection");
    c.put("mode", path.path() == PathMonitor.Path.NONE ? "offline" : path.path().wire());
    List<PathMonitor.Transition> history = path.transitions();
    c.put("since", history.isEmpty() ? null : history.get(history.size() - 1).at().toString());
    ObjectNode h = root.putObject("health");
    h.put("reason", path.reason());
    h.put("failback_after_seconds", path.requiredHealthy().toSeconds());
    h.put("failed_failbacks", path.failedFailbacks());
    ArrayNode transitions = h.putArray("transitions");
    for (PathMonitor.Transition t : path.transitions()) {
      ObjectNode tn = transitions.addObject();
      tn.put("from", t.from().wire());
      tn.put("to", t.to().wire());
      tn.put("at", t.at().toString());
      tn.put("reason", t.reason());
    }

    ObjectNode a = root.putObject("agent");
    a.put("jetson_id", state.jetsonId());
    a.put("hostname", state.hostname());
    a.put("registry_error", registryError);
    a.put("queued_reports", queuedReports);
    a.put("last_report", lastReport == null ? null : lastReport.toString());
    root.put("reported_at", now.toString());
    return root;
  }
}
