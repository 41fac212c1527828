package dev.spoq.agent.relay;

import dev.spoq.agent.util.Json;
import dev.spoq.agent.util.SecureFiles;
import dev.spoq.relay.protocol.RelayTunnel;
import dev.spoq.relay.protocol.SessionKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Jetson's session with a relay-server ({@link RelayTunnel}, contract C3): opened for a {@code
 * spoq} assignment, re-opened when the relay or credential changes, closed for an {@code frp} one.
 * The last assignment is kept on disk (0600: it holds the relay credential), so the session comes
 * back after a restart while the coordinator is down.
 */
public class SpoqRelaySession implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SpoqRelaySession.class);

  /** What the status shows: the session for what it is. */
  public record Snapshot(
      boolean open, String relayId, String relayAddress, int wgPort, RelayTunnel.Status status) {

    public boolean up() {
      return status != null && status.state() == RelayTunnel.State.UP;
    }
  }

  private final UUID jetsonId;
  private InetSocketAddress localWireGuard;
  private final Path stateFile;
  private RelayTunnel tunnel;
  private RelayAssignment current;
  private InetSocketAddress relayAgentAddress;

  public SpoqRelaySession(UUID jetsonId, int wgListenPort, Path stateFile) {
    this.jetsonId = jetsonId;
    this.localWireGuard = new InetSocketAddress(InetAddress.getLoopbackAddress(), wgListenPort);
    this.stateFile = stateFile;
  }

  /** Opens (or keeps) the session for this spoq assignment. */
  public synchronized void apply(RelayAssignment a) {
    if (tunnel != null && current != null && same(current, a)) {
      return;
    }
    InetSocketAddress relay;
    try {
      relay = new InetSocketAddress(InetAddress.getByName(a.host()), a.agentPort());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("relay host " + a.host() + " does not resolve");
    }
    closeTunnel();
    tunnel =
        RelayTunnel.open(
            new RelayTunnel.Config(
                relay,
                jetsonId,
                SessionKeys.derive(a.credential()),
                localWireGuard,
                RelayTunnel.DEFAULT_KEEPALIVE));
    current = a;
    relayAgentAddress = relay;
    save(a);
    log.info(
        "relay session to {} ({}:{}) opened; clients reach this Jetson at {}",
        a.relayId(),
        relay.getAddress().getHostAddress(),
        a.agentPort(),
        a.server());
  }

  /**
   * WireGuard moved to another listen port (UPnP 724): client flows must be handed there, so an
   * open session is re-opened towards the new port (clients re-handshake within seconds).
   */
  public synchronized void retarget(int wgListenPort) {
    if (localWireGuard.getPort() == wgListenPort) {
      return;
    }
    localWireGuard = new InetSocketAddress(InetAddress.getLoopbackAddress(), wgListenPort);
    if (tunnel != null && current != null) {
      RelayAssignment a = current;
      closeTunnel();
      log.info("relay session re-opened towards WireGuard on 127.0.0.1:{}", wgListenPort);
      apply(a);
    }
  }

  /** Where client flows are handed to: the local WireGuard listen address. */
  public synchronized InetSocketAddress localWireGuard() {
    return localWireGuard;
  }

  /** Re-opens the session from the last spoq assignment on disk, if there is one. */
  public synchronized boolean resumeFromDisk() {
    Optional<RelayAssignment> last = load();
    last.ifPresent(
        a -> {
          log.info("resuming the relay session from the last assignment ({})", a.relayId());
          apply(a);
        });
    return last.isPresent();
  }

  /** Ends the session (the assignment moved to an frp relay, or shutdown). */
  public synchronized void stop() {
    if (tunnel != null) {
      log.info("relay session to {} closed", current == null ? "?" : current.relayId());
    }
    closeTunnel();
    current = null;
  }

  public synchronized Snapshot snapshot() {
    if (tunnel == null) {
      return new Snapshot(false, null, null, 0, null);
    }
    return new Snapshot(
        true,
        current.relayId(),
        relayAgentAddress.getAddress().getHostAddress(),
        current.wgPort(),
        tunnel.status());
  }

  @Override
  public synchronized void close() {
    closeTunnel();
  }

  private void closeTunnel() {
    if (tunnel != null) {
      tunnel.close();
      tunnel = null;
    }
  }

  private static boolean same(RelayAssignment a, RelayAssignment b) {
    return a.host().equals(b.host())
        && a.agentPort() == b.agentPort()
        && a.wgPort() == b.wgPort()
        && a.credential().equals(b.credential());
  }

  private void save(RelayAssignment a) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("kind", RelayAssignment.SPOQ);
    n.put("credential", a.credential());
    ObjectNode r = n.putObject("relay");
    r.put("id", a.relayId());
    r.put("host", a.host());
    r.put("wgPort", a.wgPort());
    r.put("agentPort", a.agentPort());
    SecureFiles.write(stateFile, Json.MAPPER.writeValueAsString(n), true);
  }

  private Optional<RelayAssignment> load() {
    if (!Files.isRegularFile(stateFile)) {
      return Optional.empty();
    }
    try {
      JsonNode n = Json.MAPPER.readTree(Files.readString(stateFile));
      return Optional.of(RelayAssignment.parse(n));
    } catch (IOException | RuntimeException e) {
      log.warn("cannot reuse {}: {}", stateFile, e.getMessage());
      return Optional.empty();
    }
  }
}
