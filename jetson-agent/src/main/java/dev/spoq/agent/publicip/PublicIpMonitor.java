package dev.spoq.agent.publicip;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.upnp.UpnpMapper;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the public IPv4 address from three kinds of sources and compares them: the gateway (UPnP
 * GetExternalIPAddress), STUN servers and HTTPS echo services. The gateway and STUN are cheap (one
 * SOAP call on the LAN, one UDP datagram) and are asked on every check ({@code publicip.interval},
 * at a fixed rate); the HTTPS echo services are the slow cross-check ({@code
 * publicip.echo-interval}). What the outside world sees (STUN, echo) wins; a gateway address that
 * differs from it means carrier-grade NAT, where a port forward cannot work.
 */
public class PublicIpMonitor {

  private static final Logger log = LoggerFactory.getLogger(PublicIpMonitor.class);

  public record Observation(
      String address, Map<String, String> sources, boolean agree, boolean cgnat, Instant at) {}

  private final AgentConfig config;
  private final UpnpMapper upnp;
  private final Clock clock;
  private final HttpClient http;
  private volatile Observation last;
  private Instant nextEcho = Instant.MIN;
  private String lastEcho;

  public PublicIpMonitor(AgentConfig config, UpnpMapper upnp, Clock clock) {
    this.config = config;
    this.upnp = upnp;
    this.clock = clock;
    this.http = HttpClient.newBuilder().connectTimeout(config.publicIpTimeout()).build();
  }

  public Optional<Observation> last() {
    return Optional.ofNullable(last);
  }

  public synchronized Observation observe() {
    Map<String, String> sources = new LinkedHashMap<>();
    String gatewayIp = upnp.readExternalIp();
    if (gatewayIp != null) {
      sources.put("upnp", gatewayIp);
    }
    String stun = stun();
    if (stun != null) {
      sources.put("stun", stun);
    }
    String echo = null;
    if (!clock.instant().isBefore(nextEcho)) {
      echo = echo();
      lastEcho = echo;
      nextEcho = clock.instant().plus(config.publicIpEchoInterval());
    }
    if (echo != null) {
      sources.put("echo", echo);
    }
    String observed = stun != null ? stun : echo;
    String chosen = observed != null ? observed : usable(gatewayIp) ? gatewayIp : lastEcho;
    boolean agree = sources.values().stream().distinct().count() <= 1;
    boolean cgnat = gatewayIp != null && observed != null && !gatewayIp.equals(observed);
    Observation o = new Observation(chosen, Map.copyOf(sources), agree, cgnat, clock.instant());
    Observation previous = last;
    last = o;
    if (!agree) {
      log.warn("public IP sources disagree: {}{}", sources, cgnat ? " (carrier-grade NAT?)" : "");
    }
    if (previous == null || !java.util.Objects.equals(previous.address(), chosen)) {
      log.info("public IP {} (sources {})", chosen, sources);
    }
    return o;
  }

  private String stun() {
    for (String server : config.stunServers()) {
      try {
        int colon = server.lastIndexOf(':');
        String host = colon > 0 ? server.substring(0, colon) : server;
        int port = colon > 0 ? Integer.parseInt(server.substring(colon + 1)) : 3478;
        Optional<InetSocketAddress> mapped = StunClient.query(host, port, config.publicIpTimeout());
        if (mapped.isPresent()) {
          return mapped.get().getAddress().getHostAddress();
        }
        log.debug("STUN server {} did not answer", server);
      } catch (Exception e) {
        log.debug("STUN server {} failed: {}", server, e.getMessage());
      }
    }
    return null;
  }

  private String echo() {
    for (String url : config.echoUrls()) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(config.publicIpTimeout()).build(),
                HttpResponse.BodyHandlers.ofString());
        String body = r.body() == null ? "" : r.body().trim();
        if (r.statusCode() == 200 && body.length() <= 15 && isIpv4(body)) {
          return body;
        }
        log.debug("echo service {} answered {} '{}'", url, r.statusCode(), body);
      } catch (Exception e) {
        log.debug("echo service {} failed: {}", url, e.getMessage());
      }
    }
    return null;
  }

  static boolean isIpv4(String s) {
    if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return false;
    }
    for (String part : s.split("\\.")) {
      if (Integer.parseInt(part) > 255) {
        return false;
      }
    }
    return true;
  }

  /** A gateway address is only a public IP when it is not private, CGNAT or reserved. */
  static boolean usable(String ip) {
    if (ip == null || !isIpv4(ip)) {
      return false;
    }
    try {
      InetAddress a = InetAddress.getByName(ip);
      byte[] b = a.getAddress();
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      boolean cgnat = first == 100 && second >= 64 && second < 128;
      return !(a.isSiteLocalAddress()
          || a.isLoopbackAddress()
          || a.isLinkLocalAddress()
          || a.isAnyLocalAddress()
          || cgnat
          || first == 0
          || first >= 224);
    } catch (Exception e) {
      return false;
    }
  }
}
