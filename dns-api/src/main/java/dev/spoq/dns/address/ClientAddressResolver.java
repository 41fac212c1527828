package dev.spoq.dns.address;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The caller's address: the TCP peer, unless that peer is a configured trusted proxy; then the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy. A header from any
 * other peer is ignored, so a client cannot choose the address it is seen from.
 */
public final class ClientAddressResolver {

  private static final int MAX_HEADER_LENGTH = 2048;

  private final List<Cidr> trustedProxies;

  public ClientAddressResolver(List<String> trustedProxies) {
    this.trustedProxies = trustedProxies.stream().map(Cidr::parse).toList();
  }

  public Optional<InetAddress> resolve(HttpServletRequest request) {
    Optional<InetAddress> peer = IpLiterals.parse(request.getRemoteAddr());
    if (peer.isEmpty() || !isTrusted(peer.get())) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    var headers = request.getHeaders("X-Forwarded-For");
    while (headers != null && headers.hasMoreElements()) {
      String value = headers.nextElement();
      if (value == null || value.length() > MAX_HEADER_LENGTH) {
        return peer;
      }
      for (String part : value.split(",")) {
        hops.add(part.trim());
      }
    }
    Collections.reverse(hops);
    InetAddress client = peer.get();
    for (String hop : hops) {
      Optional<InetAddress> parsed = IpLiterals.parse(stripPort(hop));
      if (parsed.isEmpty()) {
        break;
      }
      client = parsed.get();
      if (!isTrusted(client)) {
        break;
      }
    }
    return Optional.of(client);
  }

  private boolean isTrusted(InetAddress address) {
    return trustedProxies.stream().anyMatch(c -> c.contains(address));
  }

  private static String stripPort(String hop) {
    if (hop.startsWith("[") && hop.contains("]")) {
      return hop.substring(1, hop.indexOf(']'));
    }
    int colon = hop.indexOf(':');
    if (colon > 0 && colon == hop.lastIndexOf(':')) {
      return hop.substring(0, colon);
    }
    return hop;
  }
}
