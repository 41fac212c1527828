package dev.spoq.registry.route;

import dev.spoq.common.problem.ApiProblemException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Where a container route may point (issue 13 item 8: the jump router connects there, so an admin
 * key must not be able to aim it at the cloud metadata service or the host itself). An IPv4 literal
 * must lie in {@code spoq.routes.allowed-ranges} (default: the private ranges). Loopback and
 * link-local (metadata) addresses pass only when a configured range names them; 0.0.0.0, multicast
 * and broadcast never do. Integer, hex and octal spellings of addresses and {@code localhost} or
 * metadata host names are refused. Other DNS names are allowed (the orchestrator's container
 * names).
 */
@Component
class RouteHostPolicy {

  private static final Pattern DOTTED_QUAD =
      Pattern.compile(
          "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
  private static final Pattern NUMERIC_LABEL = Pattern.compile("^(0x[0-9a-f]*|\\d+)$");
  private static final List<String> REFUSED_NAMES =
      List.of("localhost", "metadata", "metadata.google.internal", "instance-data");

  private record Range(long network, long mask, String text) {
    boolean contains(long address) {
      return (address & mask) == network;
    }
  }

  private final List<Range> allowed;

  RouteHostPolicy(
      @Value("${spoq.routes.allowed-ranges:10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10}")
          List<String> ranges) {
    this.allowed =
        ranges.stream()
            .map(String::trim)
            .filter(r -> !r.isEmpty())
            .map(RouteHostPolicy::range)
            .toList();
  }

  /** Refuses (400) a host the jump router must not connect to. */
  void check(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (DOTTED_QUAD.matcher(h).matches()) {
      checkAddress(h, ipv4(h));
      return;
    }
    String[] labels = h.split("\\.");
    for (String label : labels) {
      if (NUMERIC_LABEL.matcher(label).matches()
          && (labels.length <= 4 || label.startsWith("0x"))) {
        refuse("an address must be written as four decimal numbers (a.b.c.d)");
      }
    }
    if (NUMERIC_LABEL.matcher(labels[labels.length - 1]).matches()) {
      refuse("a host name must not end in a numeric label");
    }
    for (String name : REFUSED_NAMES) {
      if (h.equals(name) || h.endsWith("." + name)) {
        refuse("loopback and metadata host names are not allowed");
      }
    }
  }

  private void checkAddress(String text, long address) {
    int first = (int) (address >>> 24);
    if (address == 0 || address == 0xFFFFFFFFL || (first >= 224 && first <= 239) || first == 0) {
      refuse(text + " is an unspecified, broadcast or multicast address");
    }
    if (allowed.stream().noneMatch(r -> r.contains(address))) {
      refuse(
          text
              + " is outside the allowed ranges ("
              + String.join(", ", allowed.stream().map(Range::text).toList())
              + ")");
    }
  }

  private static void refuse(String why) {
    throw ApiProblemException.invalid("host: " + why + ".");
  }

  private static Range range(String cidr) {
    String[] parts = cidr.split("/");
    if (parts.length != 2 || !DOTTED_QUAD.matcher(parts[0]).matches()) {
      throw new IllegalArgumentException("spoq.routes.allowed-ranges: not an IPv4 CIDR: " + cidr);
    }
    int bits = Integer.parseInt(parts[1]);
    if (bits < 0 || bits > 32) {
      throw new IllegalArgumentException("spoq.routes.allowed-ranges: bad prefix length: " + cidr);
    }
    long mask = bits == 0 ? 0 : (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    return new Range(ipv4(parts[0]) & mask, mask, cidr);
  }

  private static long ipv4(String dotted) {
    long value = 0;
    for (String part : dotted.split("\\.")) {
      value = (value << 8) | Integer.parseInt(part);
    }
    return value;
  }
}
