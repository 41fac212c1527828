package dev.spoq.agent.wireguard;

import dev.spoq.agent.registry.Peer;
import java.util.List;

/** Renders the Jetson's {@code wg0.conf} (wg-quick format) and its stripped form for {@code wg}. */
public final class WireGuardConfig {

  private WireGuardConfig() {}

  /** The full wg-quick config, as in the seed (Address, ListenPort, one [Peer] per device). */
  public static String render(String privateKey, String address, int listenPort, List<Peer> peers) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        "# Written by the Spoq agent from the registry's peer set; local edits are replaced.\n");
    sb.append("[Interface]\n");
    sb.append("PrivateKey = ").append(privateKey).append('\n');
    sb.append("Address = ").append(address).append('\n');
    sb.append("ListenPort = ").append(listenPort).append('\n');
    appendPeers(sb, peers);
    return sb.toString();
  }

  /** What {@code wg-quick strip} would print: only keys {@code wg setconf/syncconf} accept. */
  public static String stripped(String privateKey, int listenPort, List<Peer> peers) {
    StringBuilder sb = new StringBuilder();
    sb.append("[Interface]\n");
    sb.append("PrivateKey = ").append(privateKey).append('\n');
    sb.append("ListenPort = ").append(listenPort).append('\n');
    appendPeers(sb, peers);
    return sb.toString();
  }

  private static void appendPeers(StringBuilder sb, List<Peer> peers) {
    for (Peer peer : peers) {
      sb.append('\n');
      if (peer.name() != null && !peer.name().isBlank()) {
        sb.append("# ").append(peer.name().replaceAll("[\\r\\n]", " ")).append('\n');
      }
      sb.append("[Peer]\n");
      sb.append("PublicKey = ").append(peer.publicKey()).append('\n');
      sb.append("AllowedIPs = ").append(String.join(", ", peer.allowedIps())).append('\n');
    }
  }
}
