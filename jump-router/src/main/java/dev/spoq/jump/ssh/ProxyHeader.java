package dev.spoq.jump.ssh;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * Parses a PROXY protocol header (HAProxy's spec, versions 1 and 2) at the start of a connection:
 * the client's own address as the balancer saw it. Only the address block is read; v2 TLVs are
 * skipped.
 */
final class ProxyHeader {

  /** v1 lines are at most 107 bytes including CRLF. */
  static final int V1_MAX = 107;

  static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

  /** v2 headers larger than this (addresses plus TLVs) are refused. */
  private static final int V2_MAX_BODY = 512;

  /**
   * A parsed header: its length in bytes and the client address, or none for a header that names no
   * client ({@code UNKNOWN}, v2 {@code LOCAL}: the balancer's own connection, e.g. a check).
   */
  record Parsed(int length, Optional<InetSocketAddress> client) {}

  /** A header that is malformed or not one at all. */
  static final class Malformed extends Exception {
    Malformed(String message) {
      super(message);
    }
  }

  private ProxyHeader() {}

  /** Whether {@code start} may be the beginning of a PROXY header (v1 or v2). */
  static boolean mayStartHeader(byte[] start, int length) {
    return prefixMatches(start, length, V1_PREFIX) || prefixMatches(start, length, V2_SIGNATURE);
  }

  /**
   * Parses the header at the start of {@code data}; empty when more bytes are needed.
   *
   * @throws Malformed when the data is not a valid header
   */
  static Optional<Parsed> parse(byte[] data, int length) throws Malformed {
    if (length < V1_PREFIX.length) {
      if (mayStartHeader(data, length)) {
        return Optional.empty();
      }
      throw new Malformed("no PROXY header");
    }
    if (prefixMatches(data, length, V1_PREFIX)) {
      return parseV1(data, length);
    }
    if (prefixMatches(data, length, V2_SIGNATURE)) {
      return length < 16 ? Optional.empty() : parseV2(data, length);
    }
    throw new Malformed("no PROXY header");
  }

  private static Optional<Parsed> parseV1(byte[] data, int length) throws Malformed {
    int end = -1;
    for (int i = 0; i + 1 < Math.min(length, V1_MAX); i++) {
      if (data[i] == '\r' && data[i + 1] == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      if (length >= V1_MAX) {
        throw new Malformed("PROXY v1 line longer than " + V1_MAX + " bytes");
      }
      return Optional.empty();
    }
    String line = new String(data, 0, end, StandardCharsets.US_ASCII);
    String[] f = line.split(" ", -1);
    if (f.length >= 2 && f[1].equals("UNKNOWN")) {
      return Optional.of(new Parsed(end + 2, Optional.empty()));
    }
    if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
      throw new Malformed("malformed PROXY v1 line");
    }
    InetAddress source = literal(f[2], f[1].equals("TCP4") ? 4 : 16);
    literal(f[3], f[1].equals("TCP4") ? 4 : 16);
    int port = port(f[4]);
    port(f[5]);
    return Optional.of(new Parsed(end + 2, Optional.of(new InetSocketAddress(source, port))));
  }

  private static Optional<Parsed> parseV2(byte[] data, int length) throws Malformed {
    int versionCommand = data[12] & 0xff;
    if (versionCommand >> 4 != 2) {
      throw new Malformed("unsupported PROXY v2 version");
    }
    int body = ((data[14] & 0xff) << 8) | (data[15] & 0xff);
    if (body > V2_MAX_BODY) {
      throw new Malformed("PROXY v2 header too long");
    }
    if (length < 16 + body) {
      return Optional.empty();
    }
    int total = 16 + body;
    int command = versionCommand & 0x0f;
    if (command == 0) { // LOCAL
      return Optional.of(new Parsed(total, Optional.empty()));
    }
    if (command != 1) {
      throw new Malformed("unsupported PROXY v2 command");
    }
    int family = (data[13] & 0xff) >> 4;
    int transport = data[13] & 0x0f;
    if (transport != 1) { // STREAM
      if (family == 0) {
        return Optional.of(new Parsed(total, Optional.empty()));
      }
      throw new Malformed("PROXY v2 transport is not a stream");
    }
    int size =
        switch (family) {
          case 1 -> 4;
          case 2 -> 16;
          case 0 -> 0;
          default -> -1; // AF_UNIX or unknown: no IP client address
        };
    if (size <= 0) {
      return Optional.of(new Parsed(total, Optional.empty()));
    }
    if (body < 2 * size + 4) {
      throw new Malformed("PROXY v2 address block too short");
    }
    try {
      InetAddress source = InetAddress.getByAddress(Arrays.copyOfRange(data, 16, 16 + size));
      int portAt = 16 + 2 * size;
      int port = ((data[portAt] & 0xff) << 8) | (data[portAt + 1] & 0xff);
      return Optional.of(new Parsed(total, Optional.of(new InetSocketAddress(source, port))));
    } catch (UnknownHostException e) {
      throw new Malformed("PROXY v2 address invalid");
    }
  }

  private static InetAddress literal(String text, int bytes) throws Malformed {
    boolean v4 = bytes == 4;
    if (text.isEmpty()
        || text.length() > 45
        || v4 && text.chars().filter(c -> c == '.').count() != 3
        || !v4 && !text.contains(":")
        || !text.chars().allMatch(c -> v4 ? c == '.' || Character.isDigit(c) : isV6Char(c))) {
      throw new Malformed("malformed address in PROXY v1 line");
    }
    try {
      // A literal only (checked above): no name lookup.
      InetAddress address = InetAddress.getByName(text);
      if (address.getAddress().length != bytes) {
        throw new Malformed("address family mismatch in PROXY v1 line");
      }
      return address;
    } catch (UnknownHostException e) {
      throw new Malformed("malformed address in PROXY v1 line");
    }
  }

  private static boolean isV6Char(int c) {
    return c == ':' || c == '.' || Character.digit(c, 16) >= 0;
  }

  private static int port(String text) throws Malformed {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      throw new Malformed("malformed port in PROXY v1 line");
    }
    int port = Integer.parseInt(text);
    if (port > 65535) {
      throw new Malformed("malformed port in PROXY v1 line");
    }
    return port;
  }

  private static boolean prefixMatches(byte[] data, int length, byte[] prefix) {
    int n = Math.min(length, prefix.length);
    for (int i = 0; i < n; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
