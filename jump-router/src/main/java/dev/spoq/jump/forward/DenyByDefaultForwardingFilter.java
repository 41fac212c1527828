package dev.spoq.jump.forward;

import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.apache.sshd.server.forward.ForwardingFilter;

/**
 * No agent forwarding, no X11, no remote port forwarding (tcpip-forward), no forwarded-tcpip.
 * Direct-tcpip is allowed only to the already-resolved route of the authenticated user, which
 * {@link OwnContainerTcpipFactory} decided on from the requested name.
 */
public class DenyByDefaultForwardingFilter implements ForwardingFilter {

  private final ContainerTargetPolicy policy;

  public DenyByDefaultForwardingFilter(ContainerTargetPolicy policy) {
    this.policy = policy;
  }

  @Override
  public boolean canForwardAgent(Session session, String requestType) {
    return false;
  }

  @Override
  public boolean canForwardX11(Session session, String requestType) {
    return false;
  }

  @Override
  public boolean canListen(SshdSocketAddress address, Session session) {
    return false;
  }

  @Override
  public boolean canConnect(Type type, SshdSocketAddress address, Session session) {
    return type == Type.Direct
        && session.isAuthenticated()
        && policy.isRouteOf(session.getUsername(), address.getHostName(), address.getPort());
  }
}
