package dev.spoq.dns.address;

import java.net.InetAddress;
import java.util.Arrays;

/** An address range in CIDR notation ({@code 100.64.0.0/10}, {@code 2001:db8::/32}). */
public record Cidr(byte[] network, int prefix, String text) {

  public Cidr {
    network = network.clone();
  }

  /**
   * Parses {@code address/prefix}; a bare address is a single host.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String addressPart = slash < 0 ? t : t.substring(0, slash);
    InetAddress address =
        IpLiterals.parse(addressPart)
            .orElseThrow(() -> new IllegalArgumentException("not a CIDR range: " + text));
    byte[] bytes = address.getAddress();
    int max = bytes.length * 8;
    int prefix;
    try {
      prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a CIDR range: " + text);
    }
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("prefix out of range in " + text);
    }
    return new Cidr(mask(bytes, prefix), prefix, t);
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    return bytes.length == network.length && Arrays.equals(mask(bytes, prefix), network);
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff << (8 - keep)));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }
}
