package dev.spoq.jump.ssh;

import dev.spoq.jump.limits.SampledLog;
import dev.spoq.jump.session.RouterSession;
import dev.spoq.jump.session.SessionTracker;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.session.AbstractServerSession;
import org.apache.sshd.server.session.ServerProxyAcceptor;
import org.apache.sshd.server.session.ServerSession;

/**
 * Reads the PROXY protocol header (v1 or v2) that a trusted balancer sends before SSH, and admits
 * the connection under the client's own address (limits, bans, audit: {@link
 * SessionTracker#admit}). A trusted peer must send a header; any other peer is a direct client, and
 * a PROXY header from it is refused (it could otherwise choose the address it is judged by).
 */
final class ProxyProtocolAcceptor implements ServerProxyAcceptor {

  /** A direct client's first bytes were checked: no PROXY header. */
  private static final AttributeKey<Boolean> CHECKED = new AttributeKey<>();

  /** A trusted balancer's header was read and the client it names admitted. */
  private static final AttributeKey<Boolean> ADMITTED = new AttributeKey<>();

  private final TrustedProxies trusted;
  private final SessionTracker tracker;
  private final SampledLog refusals = new SampledLog(Duration.ofSeconds(10));

  ProxyProtocolAcceptor(TrustedProxies trusted, SessionTracker tracker) {
    this.trusted = trusted;
    this.tracker = tracker;
  }

  @Override
  public boolean acceptServerProxyMetadata(ServerSession session, Buffer buffer) throws Exception {
    if (session.getAttribute(CHECKED) != null) {
      return true; // MINA asks again until the SSH identification is complete
    }
    SocketAddress peer = session.getIoSession().getRemoteAddress();
    int available = buffer.available();
    if (available == 0) {
      return false;
    }
    byte[] head = new byte[Math.min(available, 16 + 512)];
    System.arraycopy(buffer.array(), buffer.rpos(), head, 0, head.length);
    if (!trusted.trusted(peer)) {
      if (ProxyHeader.mayStartHeader(head, head.length)) {
        throw refuse(peer, "PROXY header from an untrusted address");
      }
      session.setAttribute(CHECKED, Boolean.TRUE);
      return true;
    }
    Optional<ProxyHeader.Parsed> parsed;
    try {
      parsed = ProxyHeader.parse(head, head.length);
    } catch (ProxyHeader.Malformed e) {
      throw refuse(peer, e.getMessage() + " from a trusted balancer");
    }
    if (parsed.isEmpty()) {
      return false; // wait for the rest of the header
    }
    // Skipped on every call: while the SSH identification line is incomplete MINA rewinds the
    // buffer to its start, header included, and asks again when more bytes arrive.
    buffer.rpos(buffer.rpos() + parsed.get().length());
    if (session.getAttribute(ADMITTED) == null) {
      session.setAttribute(ADMITTED, Boolean.TRUE);
      // UNKNOWN / LOCAL (the balancer's own connection): judged by the balancer's address
      SocketAddress client = parsed.get().client().map(a -> (SocketAddress) a).orElse(peer);
      if (session instanceof AbstractServerSession server) {
        server.setClientAddress(client);
      }
      tracker.admit(session, client, false);
    }
    return true;
  }

  private SshException refuse(SocketAddress peer, String reason) {
    String ip =
        peer instanceof InetSocketAddress inet ? RouterSession.ipOf(inet) : String.valueOf(peer);
    refusals.refused(reason, ip);
    return new SshException(reason);
  }
}
