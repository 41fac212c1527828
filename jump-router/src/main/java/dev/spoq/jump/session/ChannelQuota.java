package dev.spoq.jump.session;

import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.channel.AbstractChannel;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;

/**
 * The per-connection channel cap. Going over it refuses only the new channel with {@code
 * SSH_OPEN_RESOURCE_SHORTAGE}; the connection and its other channels carry on (MINA's own cap,
 * {@code MAX_CONCURRENT_CHANNELS}, throws instead and so kills the whole connection).
 */
public final class ChannelQuota {

  private final int maxChannels;
  private final RouterMetrics metrics;

  public ChannelQuota(int maxChannels, RouterMetrics metrics) {
    this.maxChannels = maxChannels;
    this.metrics = metrics;
  }

  /**
   * Reserves a slot for the channel being opened, given back when it closes.
   *
   * @return null when the channel may open, else the failed open future to return from {@code
   *     doInit}
   */
  public OpenFuture reserve(AbstractChannel channel, RouterSession state) {
    if (state.tryOpenChannel(maxChannels)) {
      channel.addCloseFutureListener(f -> state.channelClosed());
      return null;
    }
    metrics.channelRefused("too-many-channels");
    return failed(
        channel,
        SshConstants.SSH_OPEN_RESOURCE_SHORTAGE,
        "too many channels on this connection (max " + maxChannels + ")");
  }

  /** A failed open future that makes MINA answer {@code SSH_MSG_CHANNEL_OPEN_FAILURE}. */
  public static OpenFuture failed(AbstractChannel channel, int reasonCode, String message) {
    OpenFuture refused = new DefaultOpenFuture(channel, channel);
    try {
      refused.setException(
          new SshChannelOpenException(channel.getChannelId(), reasonCode, message));
    } finally {
      channel.close(true);
    }
    return refused;
  }
}
