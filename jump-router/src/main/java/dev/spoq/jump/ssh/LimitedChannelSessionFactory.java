package dev.spoq.jump.ssh;

import dev.spoq.jump.session.ChannelQuota;
import dev.spoq.jump.session.RouterSession;
import java.io.IOException;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.channel.ChannelSession;

/** {@code session} channels (shell, exec, sftp) under the connection's {@link ChannelQuota}. */
final class LimitedChannelSessionFactory implements ChannelFactory {

  private final ChannelQuota quota;

  LimitedChannelSessionFactory(ChannelQuota quota) {
    this.quota = quota;
  }

  @Override
  public String getName() {
    return "session";
  }

  @Override
  public Channel createChannel(Session session) throws IOException {
    return new ChannelSession() {
      @Override
      protected OpenFuture doInit(Buffer buffer) {
        OpenFuture refused = quota.reserve(this, RouterSession.of(getSession()));
        return refused != null ? refused : super.doInit(buffer);
      }
    };
  }
}
