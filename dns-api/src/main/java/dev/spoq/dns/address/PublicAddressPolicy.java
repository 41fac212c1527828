package dev.spoq.dns.address;

import dev.spoq.dns.provider.RecordType;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether an address may be published as a Jetson's endpoint: public unicast only. Refused
 * are the special-purpose ranges of the IANA registries (private, loopback, link-local, CGNAT,
 * multicast, reserved, documentation, benchmarking, 6to4/Teredo...). IPv6 must be global unicast
 * (2000::/3). Ranges in {@code spoq.dns.allowed-extra-ranges} are accepted anyway (test
 * environments).
 */
public final class PublicAddressPolicy {

  /** An accepted address: its record type and canonical text. */
  public record Accepted(InetAddress address, RecordType type, String canonical) {}

  private record Blocked(Cidr range, String reason) {}

  private static final List<Blocked> BLOCKED_V4 =
      List.of(
          blocked("0.0.0.0/8", "'this network' (0.0.0.0/8)"),
          blocked("10.0.0.0/8", "private (10.0.0.0/8)"),
          blocked("100.64.0.0/10", "carrier-grade NAT shared space (100.64.0.0/10)"),
          blocked("127.0.0.0/8", "loopback (127.0.0.0/8)"),
          blocked("169.254.0.0/16", "link-local (169.254.0.0/16)"),
          blocked("172.16.0.0/12", "private (172.16.0.0/12)"),
          blocked("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
          blocked("192.0.2.0/24", "documentation TEST-NET-1 (192.0.2.0/24)"),
          blocked("192.31.196.0/24", "AS112 (192.31.196.0/24)"),
          blocked("192.52.193.0/24", "AMT (192.52.193.0/24)"),
          blocked("192.88.99.0/24", "deprecated 6to4 relay anycast (192.88.99.0/24)"),
          blocked("192.168.0.0/16", "private (192.168.0.0/16)"),
          blocked("192.175.48.0/24", "AS112 direct delegation (192.175.48.0/24)"),
          blocked("198.18.0.0/15", "benchmarking (198.18.0.0/15)"),
          blocked("198.51.100.0/24", "documentation TEST-NET-2 (198.51.100.0/24)"),
          blocked("203.0.113.0/24", "documentation TEST-NET-3 (203.0.113.0/24)"),
          blocked("224.0.0.0/4", "multicast (224.0.0.0/4)"),
          blocked("240.0.0.0/4", "reserved (240.0.0.0/4, incl. broadcast)"));

  private static final Cidr GLOBAL_UNICAST_V6 = Cidr.parse("2000::/3");

  private static final List<Blocked> BLOCKED_V6 =
      List.of(
          blocked("2001::/23", "IETF protocol assignments (2001::/23, incl. Teredo)"),
          blocked("2001:db8::/32", "documentation (2001:db8::/32)"),
          blocked("2002::/16", "6to4 (2002::/16)"),
          blocked("3fff::/20", "documentation (3fff::/20)"));

  private final List<Cidr> extraAllowed;

  public PublicAddressPolicy(List<String> allowedExtraRanges) {
    this.extraAllowed = allowedExtraRanges.stream().map(Cidr::parse).toList();
  }

  public List<Cidr> extraAllowed() {
    return extraAllowed;
  }

  /** The accepted address, or the reason it is refused (a sentence fit for a problem response). */
  public Result check(String text) {
    if (text == null || text.isBlank()) {
      return Result.refused("ip is empty");
    }
    Optional<InetAddress> parsed = IpLiterals.parse(text);
    if (parsed.isEmpty()) {
      return Result.refused("ip is not an IPv4 or IPv6 address literal");
    }
    InetAddress address = parsed.get();
    if (IpLiterals.isMappedIpv4(text, address)) {
      return Result.refused("IPv4-mapped IPv6 addresses are not accepted; send the IPv4 address");
    }
    return check(address);
  }

  public Result check(InetAddress address) {
    boolean v4 = address instanceof Inet4Address;
    RecordType type = v4 ? RecordType.A : RecordType.AAAA;
    Accepted accepted = new Accepted(address, type, IpLiterals.canonical(address));
    if (extraAllowed.stream().anyMatch(c -> c.contains(address))) {
      return Result.accepted(accepted);
    }
    if (v4) {
      for (Blocked b : BLOCKED_V4) {
        if (b.range().contains(address)) {
          return Result.refused(
              accepted.canonical() + " is not a public unicast address: " + b.reason());
        }
      }
      return Result.accepted(accepted);
    }
    if (!GLOBAL_UNICAST_V6.contains(address)) {
      return Result.refused(
          accepted.canonical()
              + " is not a global unicast IPv6 address (loopback, link-local, unique-local,"
              + " multicast and mapped addresses are refused)");
    }
    for (Blocked b : BLOCKED_V6) {
      if (b.range().contains(address)) {
        return Result.refused(
            accepted.canonical() + " is not a public unicast address: " + b.reason());
      }
    }
    return Result.accepted(accepted);
  }

  /** Either an accepted address or the reason for refusing it. */
  public record Result(Accepted accepted, String refusal) {
    static Result accepted(Accepted a) {
      return new Result(a, null);
    }

    static Result refused(String why) {
      return new Result(null, why);
    }

    public boolean isAccepted() {
      return accepted != null;
    }
  }

  private static Blocked blocked(String cidr, String reason) {
    return new Blocked(Cidr.parse(cidr), reason);
  }
}
