package dev.spoq.jump.ssh;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * The balancers allowed to speak the PROXY protocol ({@code spoq.jump.ssh.proxy-protocol
 * .trusted-from}: addresses or CIDR ranges). Empty means the feature is off.
 */
public final class TrustedProxies {

  private record Range(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      return address.length == network.length && Arrays.equals(mask(address, prefix), network);
    }
  }

  private final List<Range> ranges;
  private final List<String> text;

  private TrustedProxies(List<Range> ranges, List<String> text) {
    this.ranges = ranges;
    this.text = text;
  }

  /**
   * Parses {@code address/prefix} entries (a bare address is one host).
   *
   * @throws IllegalArgumentException for an entry that is not an IP literal or range
   */
  public static TrustedProxies of(List<String> entries) {
    return new TrustedProxies(
        entries.stream().map(String::trim).map(TrustedProxies::parse).toList(),
        List.copyOf(entries));
  }

  public boolean enabled() {
    return !ranges.isEmpty();
  }

  /** Whether a connection from {@code peer} must start with a PROXY header. */
  public boolean trusted(SocketAddress peer) {
    if (!(peer instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return false;
    }
    byte[] address = inet.getAddress().getAddress();
    return ranges.stream().anyMatch(r -> r.contains(address));
  }

  @Override
  public String toString() {
    return String.join(",", text);
  }

  private static Range parse(String entry) {
    int slash = entry.indexOf('/');
    String literal = slash < 0 ? entry : entry.substring(0, slash);
    boolean v6 = literal.contains(":");
    if (literal.isEmpty()
        || !literal.chars().allMatch(c -> c == '.' || c == ':' || Character.digit(c, 16) >= 0)
        || !v6 && literal.chars().filter(c -> c == '.').count() != 3) {
      throw new IllegalArgumentException("not an IP address or CIDR range: " + entry);
    }
    byte[] address;
    try {
      // an IP literal only (checked above): no name lookup
      address = InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address or CIDR range: " + entry);
    }
    int max = address.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? max : Integer.parseInt(entry.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a CIDR range: " + entry);
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("prefix out of range: " + entry);
    }
    return new Range(mask(address, prefix), prefix);
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }
}
