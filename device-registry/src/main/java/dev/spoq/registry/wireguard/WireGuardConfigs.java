package dev.spoq.registry.wireguard;

import dev.spoq.common.ipplan.WireGuardAddressPlan;
import java.util.List;
import java.util.UUID;

/**
 * Renders wg-quick configurations. No private key is ever part of them: the {@code PrivateKey} line
 * is a comment ({@link #PRIVATE_KEY_PLACEHOLDER}) that the device replaces with {@code PrivateKey =
 * <its key>}. Both forms pass {@code wg-quick strip} and {@code wg setconf}.
 */
public final class WireGuardConfigs {

  /** The exact line a device replaces with its {@code PrivateKey = ...} line. */
  public static final String PRIVATE_KEY_PLACEHOLDER =
      "# PrivateKey = <fill in the private key made on this device; Spoq never sees it>";

  public static final int PERSISTENT_KEEPALIVE = 25;

  /** One device as a peer of its Jetson. */
  public record Peer(
      UUID deviceId, String name, int profile, String publicKey, String allowedIps) {}

  /** Everything a client device needs to reach its Jetson. */
  public record ClientConfig(
      UUID deviceId,
      String name,
      int profile,
      String address,
      String dns,
      String peerPublicKey,
      String allowedIps,
      String endpoint,
      int persistentKeepalive,
      String config) {}

  private WireGuardConfigs() {}

  public static ClientConfig client(
      UUID deviceId,
      String name,
      int profile,
      String deviceAddress,
      String jetsonPublicKey,
      String fqdn) {
    String address = deviceAddress + "/32";
    String endpoint = fqdn + ":" + WireGuardAddressPlan.LISTEN_PORT;
    String text =
        "# Spoq WireGuard config for device '"
            + name
            + "' (profile "
            + profile
            + ")\n"
            + "[Interface]\n"
            + PRIVATE_KEY_PLACEHOLDER
            + "\n"
            + "Address = "
            + address
            + "\n"
            + "DNS = "
            + WireGuardAddressPlan.JETSON_ADDRESS
            + "\n\n"
            + "[Peer]\n"
            + "PublicKey = "
            + jetsonPublicKey
            + "\n"
            + "AllowedIPs = "
            + WireGuardAddressPlan.NETWORK
            + "\n"
            + "Endpoint = "
            + endpoint
            + "\n"
            + "PersistentKeepalive = "
            + PERSISTENT_KEEPALIVE
            + "\n";
    return new ClientConfig(
        deviceId,
        name,
        profile,
        address,
        WireGuardAddressPlan.JETSON_ADDRESS,
        jetsonPublicKey,
        WireGuardAddressPlan.NETWORK,
        endpoint,
        PERSISTENT_KEEPALIVE,
        text);
  }

  /** The Jetson's wg0.conf without its private key: interface settings and one peer per device. */
  public static String jetson(List<Peer> peers) {
    StringBuilder out =
        new StringBuilder()
            .append("# Spoq WireGuard config of this Jetson (wg0)\n")
            .append("[Interface]\n")
            .append("# PrivateKey = <the Jetson's own key, /var/lib/spoq/wireguard/private.key>\n")
            .append("Address = ")
            .append(WireGuardAddressPlan.JETSON_INTERFACE_ADDRESS)
            .append("\n")
            .append("ListenPort = ")
            .append(WireGuardAddressPlan.LISTEN_PORT)
            .append("\n");
    for (Peer peer : peers) {
      out.append("\n# ")
          .append(peer.name())
          .append(" (profile ")
          .append(peer.profile())
          .append(", device ")
          .append(peer.deviceId())
          .append(")\n")
          .append("[Peer]\n")
          .append("PublicKey = ")
          .append(peer.publicKey())
          .append("\n")
          .append("AllowedIPs = ")
          .append(peer.allowedIps())
          .append("\n");
    }
    return out.toString();
  }
}
