package dev.spoq.agent.upnp;

import dev.spoq.agent.config.AgentConfig;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bitlet.weupnp.GatewayDevice;
import org.bitlet.weupnp.PortMappingEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP port forward for WireGuard on the home router. Discovery and the external IP use weupnp;
 * AddPortMapping / DeletePortMapping go through weupnp's raw SOAP call because its convenience
 * methods hardcode lease 0 and hide error codes (718 = the port belongs to another host).
 */
public class UpnpMapper {

  private static final Logger log = LoggerFactory.getLogger(UpnpMapper.class);
  static final String CONFLICT = "718";

  public record Snapshot(
      String status,
      String externalIp,
      Integer externalPort,
      String gateway,
      String localAddress,
      Instant lastRefresh,
      long leaseSeconds,
      String error) {}

  private final AgentConfig config;
  private final Clock clock;
  private GatewayDevice gateway;
  private Integer externalPort;
  private Instant lastRefresh;
  private String externalIp;
  private volatile Snapshot snapshot;

  public UpnpMapper(AgentConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.snapshot =
        new Snapshot(
            config.upnpEnabled() ? "pending" : "disabled",
            null,
            null,
            null,
            null,
            null,
            config.upnpLease().toSeconds(),
            null);
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  /** Creates or renews the mapping; discovers the gateway first when needed. */
  public synchronized Snapshot mapOrRefresh() {
    if (!config.upnpEnabled()) {
      return snapshot;
    }
    try {
      if (gateway == null) {
        gateway = discover();
        if (gateway == null) {
          return publish("unavailable", "no UPnP gateway answered on the LAN");
        }
      }
      List<Integer> candidates = new ArrayList<>();
      if (externalPort != null) {
        candidates.add(externalPort);
      }
      candidates.add(config.upnpExternalPort());
      candidates.addAll(config.upnpAlternativePorts());
      String lastError = null;
      for (Integer port : candidates.stream().distinct().toList()) {
        Map<String, String> answer = addMapping(port);
        String code = answer.get("errorCode");
        if (code == null) {
          if (externalPort != null && !externalPort.equals(port)) {
            log.info("UPnP external port moved from {} to {}", externalPort, port);
          }
          boolean first = externalPort == null || lastRefresh == null;
          externalPort = port;
          lastRefresh = clock.instant();
          readExternalIp();
          if (first) {
            log.info(
                "UPnP mapping UDP {}:{} -> {}:{} lease {} s on {}",
                externalIp,
                port,
                gateway.getLocalAddress().getHostAddress(),
                config.wgListenPort(),
                config.upnpLease().toSeconds(),
                gateway.getFriendlyName());
          } else {
            log.debug("UPnP mapping on port {} renewed", port);
          }
          return publish("active", null);
        }
        lastError = "UPnP error " + code + " " + answer.getOrDefault("errorDescription", "");
        if (!CONFLICT.equals(code)) {
          break;
        }
        log.warn("UPnP external port {} belongs to another host (718); trying another", port);
      }
      log.warn("UPnP mapping failed: {}", lastError);
      return publish("failed", lastError);
    } catch (Exception e) {
      log.warn("UPnP gateway unreachable: {}", describe(e));
      gateway = null;
      return publish("unavailable", describe(e));
    }
  }

  /** True when the router still lists our mapping for our address. */
  public synchronized boolean mappingPresent() {
    if (gateway == null || externalPort == null) {
      return false;
    }
    try {
      PortMappingEntry entry = new PortMappingEntry();
      boolean found = gateway.getSpecificPortMappingEntry(externalPort, "UDP", entry);
      return found
          && gateway.getLocalAddress().getHostAddress().equals(entry.getInternalClient())
          && entry.getInternalPort() == config.wgListenPort();
    } catch (Exception e) {
      log.warn("UPnP mapping check failed: {}", describe(e));
      return false;
    }
  }

  /** True when the last successful refresh is younger than the lease. */
  public synchronized boolean refreshedWithinLease() {
    return lastRefresh != null && lastRefresh.plus(config.upnpLease()).isAfter(clock.instant());
  }

  public synchronized String readExternalIp() {
    if (gateway == null) {
      return null;
    }
    try {
      String ip = gateway.getExternalIPAddress();
      if (ip != null && !ip.isBlank() && !ip.trim().equals(externalIp)) {
        externalIp = ip.trim();
        publish(snapshot.status(), snapshot.error());
      }
    } catch (Exception e) {
      log.warn("UPnP GetExternalIPAddress failed: {}", describe(e));
    }
    return externalIp;
  }

  /** Deletes our mapping (on shutdown). */
  public synchronized void delete() {
    if (gateway == null || externalPort == null) {
      return;
    }
    try {
      Map<String, String> args = new LinkedHashMap<>();
      args.put("NewRemoteHost", "");
      args.put("NewExternalPort", String.valueOf(externalPort));
      args.put("NewProtocol", "UDP");
      Map<String, String> answer =
          GatewayDevice.simpleUPnPcommand(
              gateway.getControlURL(), gateway.getServiceType(), "DeletePortMapping", args);
      if (answer.containsKey("errorCode")) {
        log.warn(
            "UPnP DeletePortMapping {} answered error {}", externalPort, answer.get("errorCode"));
      } else {
        log.info("UPnP mapping on external port {} deleted", externalPort);
      }
    } catch (Exception e) {
      log.warn("UPnP DeletePortMapping failed: {}", describe(e));
    }
    lastRefresh = null;
    publish("deleted", null);
  }

  private GatewayDevice discover() throws Exception {
    GatewayDevice valid = SsdpDiscovery.find(config.upnpDiscoveryTimeout()).orElse(null);
    if (valid != null) {
      log.info(
          "UPnP gateway {} at {} (our address {})",
          valid.getFriendlyName(),
          valid.getLocation(),
          valid.getLocalAddress().getHostAddress());
    }
    return valid;
  }

  private Map<String, String> addMapping(int port) throws Exception {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("NewRemoteHost", "");
    args.put("NewExternalPort", String.valueOf(port));
    args.put("NewProtocol", "UDP");
    args.put("NewInternalPort", String.valueOf(config.wgListenPort()));
    args.put("NewInternalClient", gateway.getLocalAddress().getHostAddress());
    args.put("NewEnabled", "1");
    args.put("NewPortMappingDescription", config.upnpDescription());
    args.put("NewLeaseDuration", String.valueOf(config.upnpLease().toSeconds()));
    return GatewayDevice.simpleUPnPcommand(
        gateway.getControlURL(), gateway.getServiceType(), "AddPortMapping", args);
  }

  private Snapshot publish(String status, String error) {
    snapshot =
        new Snapshot(
            status,
            externalIp,
            externalPort,
            gateway == null ? null : gateway.getFriendlyName(),
            gateway == null ? null : gateway.getLocalAddress().getHostAddress(),
            lastRefresh,
            config.upnpLease().toSeconds(),
            error);
    return snapshot;
  }

  static String describe(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
