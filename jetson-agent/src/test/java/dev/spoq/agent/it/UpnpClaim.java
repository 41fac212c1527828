package dev.spoq.agent.it;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bitlet.weupnp.GatewayDevice;
import org.bitlet.weupnp.GatewayDiscover;

/**
 * Runs on another LAN host: maps UDP {@code port} to itself, so the Jetson's agent finds that
 * external port taken (UPnP error 718). Usage: {@code UpnpClaim <port>}.
 */
public final class UpnpClaim {

  private UpnpClaim() {}

  public static void main(String[] args) throws Exception {
    GatewayDiscover discover = new GatewayDiscover();
    discover.setTimeout(3000);
    discover.discover();
    GatewayDevice gw = discover.getValidGateway();
    if (gw == null) {
      System.out.println("no gateway");
      System.exit(1);
    }
    Map<String, String> a = new LinkedHashMap<>();
    a.put("NewRemoteHost", "");
    a.put("NewExternalPort", args[0]);
    a.put("NewProtocol", "UDP");
    a.put("NewInternalPort", args[0]);
    a.put("NewInternalClient", gw.getLocalAddress().getHostAddress());
    a.put("NewEnabled", "1");
    a.put("NewPortMappingDescription", "someone else");
    a.put("NewLeaseDuration", "3600");
    Map<String, String> r =
        GatewayDevice.simpleUPnPcommand(
            gw.getControlURL(), gw.getServiceType(), "AddPortMapping", a);
    System.out.println("claimed " + args[0] + " " + r);
    System.exit(r.containsKey("errorCode") ? 1 : 0);
  }
}
