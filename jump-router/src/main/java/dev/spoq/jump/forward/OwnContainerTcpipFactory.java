package dev.spoq.jump.forward;

import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.session.ChannelQuota;
import dev.spoq.jump.session.RouterMetrics;
import dev.spoq.jump.session.RouterSession;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.threads.ThreadUtils;
import org.apache.sshd.server.forward.TcpForwardingFilter;
import org.apache.sshd.server.forward.TcpipServerChannel;

/**
 * {@code direct-tcpip} (what {@code ssh -J} uses): the requested host name is checked by {@link
 * ContainerTargetPolicy} and replaced by the registry route before MINA connects, so no DNS look-up
 * of user input ever happens. Refusals are {@code SSH_OPEN_ADMINISTRATIVELY_PROHIBITED} and
 * audited; allowed forwards and bytes are counted into the session summary.
 */
public class OwnContainerTcpipFactory extends TcpipServerChannel.TcpipFactory {

  private final ContainerTargetPolicy policy;
  private final AuditTrail audit;
  private final RouterMetrics metrics;
  private final ChannelQuota quota;

  public OwnContainerTcpipFactory(
      ContainerTargetPolicy policy, AuditTrail audit, RouterMetrics metrics, ChannelQuota quota) {
    super(TcpForwardingFilter.Type.Direct);
    this.policy = policy;
    this.audit = audit;
    this.metrics = metrics;
    this.quota = quota;
  }

  @Override
  public Channel createChannel(Session session) throws IOException {
    return new OwnContainerChannel();
  }

  private final class OwnContainerChannel extends TcpipServerChannel {

    private RouterSession state;

    OwnContainerChannel() {
      super(TcpForwardingFilter.Type.Direct, ThreadUtils.noClose(null));
    }

    @Override
    protected OpenFuture doInit(Buffer buffer) {
      String host = buffer.getString();
      int port = buffer.getInt();
      String originatorIp = buffer.getString();
      int originatorPort = buffer.getInt();
      state = RouterSession.of(getSession());
      String requested = host + ":" + port;
      ContainerTargetPolicy.Decision decision =
          policy.decide(getSession().getUsername(), host, port);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("channel", "direct-tcpip");
      details.put("reason", decision.reason());
      if (!decision.allowed()) {
        metrics.forward("denied");
        audit.record(
            state.actor(),
            "ssh.forward.denied",
            truncate(requested),
            state.sourceIp(),
            "DENIED",
            details);
        state.forwardDecided(false);
        return ChannelQuota.failed(
            this,
            SshConstants.SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
            "only container-" + getSession().getUsername() + " is allowed");
      }
      // Only allowed channels take a slot: refused ones never hold it while they are torn down.
      OpenFuture full = quota.reserve(this, state);
      if (full != null) {
        return full;
      }
      // Allowed forwards are counted into the session summary, not audited one by one.
      metrics.forward("allowed");
      state.forwardDecided(true);
      Buffer resolved = new ByteArrayBuffer();
      resolved.putString(decision.route().host());
      resolved.putUInt(decision.route().port());
      resolved.putString(originatorIp);
      resolved.putUInt(originatorPort);
      return super.doInit(resolved);
    }

    @Override
    protected void doWriteData(byte[] data, int off, long len) throws IOException {
      super.doWriteData(data, off, len);
      state.addClientToTarget(len);
    }

    @Override
    public IoWriteFuture writePacket(Buffer buffer) throws IOException {
      int rpos = buffer.rpos();
      if (buffer.available() > 9
          && buffer.rawByte(rpos) == SshConstants.SSH_MSG_CHANNEL_DATA
          && state != null) {
        state.addTargetToClient(buffer.available() - 9L);
      }
      return super.writePacket(buffer);
    }
  }

  private static String truncate(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() > 280 ? printable.substring(0, 280) + "..." : printable;
  }
}
