package dev.spoq.registry.status;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Which addresses in an agent's status report may be believed as its public endpoint (issue 13 item
 * 9): public unicast only, as dns-api publishes. Private, loopback, link-local (metadata), CGNAT,
 * multicast, reserved, documentation and benchmarking ranges are refused, and IPv6 must be global
 * unicast. {@code spoq.status.allowed-extra-ranges} admits more (test networks).
 */
@Component
class ReportedAddresses {

  private static final Pattern IPV4 =
      Pattern.compile(
          "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
  private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]{2,45}$");

  private record Range(byte[] network, int bits, String name) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private static final List<Range> BLOCKED =
      List.of(
          range("0.0.0.0/8", "'this network'"),
          range("10.0.0.0/8", "private"),
          range("100.64.0.0/10", "carrier-grade NAT"),
          range("127.0.0.0/8", "loopback"),
          range("169.254.0.0/16", "link-local"),
          range("172.16.0.0/12", "private"),
          range("192.0.0.0/24", "IETF protocol assignments"),
          range("192.0.2.0/24", "documentation"),
          range("192.88.99.0/24", "6to4 relay anycast"),
          range("192.168.0.0/16", "private"),
          range("198.18.0.0/15", "benchmarking"),
          range("198.51.100.0/24", "documentation"),
          range("203.0.113.0/24", "documentation"),
          range("224.0.0.0/4", "multicast"),
          range("240.0.0.0/4", "reserved"),
          range("2001::/23", "IETF protocol assignments"),
          range("2001:db8::/32", "documentation"),
          range("2002::/16", "6to4"));

  private static final Range GLOBAL_UNICAST_V6 = range("2000::/3", "global unicast");

  private final List<Range> extraAllowed;

  ReportedAddresses(@Value("${spoq.status.allowed-extra-ranges:}") List<String> extra) {
    List<Range> ranges = new ArrayList<>();
    for (String r : extra) {
      if (!r.isBlank()) {
        ranges.add(range(r.trim(), "allowed"));
      }
    }
    this.extraAllowed = List.copyOf(ranges);
  }

  /** Why the text is not a believable public address, or empty when it is one. */
  Optional<String> refusal(String text) {
    Optional<InetAddress> parsed = literal(text);
    if (parsed.isEmpty()) {
      return Optional.of("not an IP address literal");
    }
    byte[] a = parsed.get().getAddress();
    if (extraAllowed.stream().anyMatch(r -> r.contains(a))) {
      return Optional.empty();
    }
    if (!(parsed.get() instanceof Inet4Address) && !GLOBAL_UNICAST_V6.contains(a)) {
      return Optional.of("not a global unicast IPv6 address");
    }
    return BLOCKED.stream().filter(r -> r.contains(a)).findFirst().map(r -> r.name() + " address");
  }

  private static Optional<InetAddress> literal(String text) {
    if (text == null
        || !(IPV4.matcher(text).matches()
            || (text.contains(":") && IPV6.matcher(text).matches()))) {
      return Optional.empty();
    }
    try {
      // a literal: no name resolution happens for these shapes
      return Optional.of(InetAddress.getByName(text));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static Range range(String cidr, String name) {
    String[] parts = cidr.split("/");
    try {
      return new Range(
          InetAddress.getByName(parts[0]).getAddress(), Integer.parseInt(parts[1]), name);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not a CIDR range: " + cidr);
    }
  }
}
