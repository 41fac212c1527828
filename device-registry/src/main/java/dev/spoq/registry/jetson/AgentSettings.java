package dev.spoq.registry.jetson;

import dev.spoq.common.ipplan.WireGuardAddressPlan;
import java.util.List;
import java.util.UUID;

/**
 * What the agent needs to set its Jetson up: identity, the FQDN it keeps pointed at its home IP,
 * its WireGuard interface settings and the users its sshd allows.
 */
public record AgentSettings(
    UUID jetsonId,
    UUID accountId,
    String username,
    String subdomain,
    String fqdn,
    String hostname,
    String publicKey,
    String address,
    String network,
    int listenPort,
    String dns,
    List<String> sshUsers,
    long peerVersion) {

  public static AgentSettings of(Jetson jetson, String domain) {
    return new AgentSettings(
        jetson.id(),
        jetson.accountId(),
        jetson.username(),
        jetson.subdomain(),
        jetson.subdomain() + "." + domain,
        jetson.hostname(),
        jetson.publicKey(),
        WireGuardAddressPlan.JETSON_INTERFACE_ADDRESS,
        WireGuardAddressPlan.NETWORK,
        WireGuardAddressPlan.LISTEN_PORT,
        WireGuardAddressPlan.JETSON_ADDRESS,
        List.of(jetson.username()),
        jetson.peerVersion());
  }
}
