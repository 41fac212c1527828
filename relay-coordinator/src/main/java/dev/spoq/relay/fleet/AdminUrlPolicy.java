package dev.spoq.relay.fleet;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.relay.config.RelayProperties;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Which frps admin URLs the coordinator may call (server-side request forgery guard). The address
 * (an IP literal, or every address a DNS name resolves to) must lie in one of {@code
 * spoq.relay.admin-url.allowed-ranges} (default: the private ranges). Loopback, link-local (which
 * holds the cloud metadata endpoint 169.254.169.254), unspecified (0.0.0.0, ::), multicast and
 * broadcast addresses are refused unless a configured range lies inside that special block itself
 * (for example {@code 127.0.0.0/8} for tests on one machine): a catch-all like {@code 0.0.0.0/0}
 * does not allow them. Numeric host forms other than dotted quads ({@code 0x51024545}, {@code
 * 1358054725}, {@code 0177.0.0.1}, {@code 127.1}) are refused outright. The check runs when a relay
 * is registered and again before every call, so a DNS name that later resolves elsewhere is caught.
 */
@Component
public class AdminUrlPolicy {

  private static final Pattern DOTTED_QUAD =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

  /** Anything made only of digits, dots and hex markers is a numeric form, not a DNS name. */
  private static final Pattern NUMERIC_LOOKING = Pattern.compile("(?i)[0-9.x]+|0x[0-9a-f.x]+");

  private static final List<Cidr> SPECIAL =
      List.of(
          Cidr.parse("127.0.0.0/8"),
          Cidr.parse("0.0.0.0/8"),
          Cidr.parse("169.254.0.0/16"),
          Cidr.parse("224.0.0.0/4"),
          Cidr.parse("240.0.0.0/4"),
          Cidr.parse("::1/128"),
          Cidr.parse("::/128"),
          Cidr.parse("fe80::/10"),
          Cidr.parse("ff00::/8"),
          Cidr.parse("fd00:ec2::254/128"));

  private final List<Cidr> allowed;

  @Autowired
  AdminUrlPolicy(RelayProperties properties) {
    this(properties.relay().adminUrl().allowedRanges());
  }

  AdminUrlPolicy(List<String> ranges) {
    List<Cidr> parsed = new ArrayList<>();
    for (String r : ranges) {
      parsed.add(Cidr.parse(r.trim()));
    }
    this.allowed = List.copyOf(parsed);
  }

  /** Validates an admin URL given through the API; answers the normalised URL or a 400 problem. */
  public String validate(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw ApiProblemException.invalid("adminUrl is not a valid URL.");
    }
    String scheme = uri.getScheme();
    if (scheme == null
        || !(scheme.equals("http") || scheme.equals("https"))
        || uri.getHost() == null
        || uri.getRawUserInfo() != null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null) {
      throw ApiProblemException.invalid(
          "adminUrl must be an http(s) URL of the frps web server, without credentials, query or fragment.");
    }
    String refusal = refusal(uri.getHost());
    if (refusal != null) {
      throw ApiProblemException.invalid("adminUrl " + refusal);
    }
    return url.replaceAll("/+$", "");
  }

  /** Null when the host may be called now, else why not (checked again before every call). */
  public String refusal(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    List<InetAddress> addresses = new ArrayList<>();
    if (h.contains(":")) {
      try {
        addresses.add(InetAddress.getByName(h)); // an IPv6 literal: no DNS query
      } catch (UnknownHostException e) {
        return "has an invalid IPv6 address.";
      }
    } else if (DOTTED_QUAD.matcher(h).matches()) {
      try {
        addresses.add(InetAddress.getByName(h));
      } catch (UnknownHostException e) {
        return "has an invalid IPv4 address.";
      }
    } else if (NUMERIC_LOOKING.matcher(h).matches()) {
      return "must use a DNS name or a dotted-quad IPv4 address (integer, hex and octal forms are refused).";
    } else {
      try {
        addresses.addAll(List.of(InetAddress.getAllByName(h)));
      } catch (UnknownHostException e) {
        return "names a host that does not resolve.";
      }
    }
    for (InetAddress a : addresses) {
      if (!permitted(a)) {
        return "points at an address outside the allowed ranges (spoq.relay.admin-url.allowed-ranges); loopback, link-local/metadata, unspecified, multicast and broadcast addresses need an explicit range.";
      }
    }
    return null;
  }

  boolean permitted(InetAddress address) {
    Cidr special = SPECIAL.stream().filter(c -> c.contains(address)).findFirst().orElse(null);
    for (Cidr range : allowed) {
      if (!range.contains(address)) {
        continue;
      }
      if (special == null || special.covers(range)) {
        return true;
      }
    }
    return false;
  }

  /** An address block. */
  record Cidr(byte[] network, int prefix) {
    static Cidr parse(String text) {
      int slash = text.indexOf('/');
      if (slash < 0) {
        throw new IllegalStateException("not a CIDR range: " + text);
      }
      String addr = text.substring(0, slash);
      if (!addr.contains(":") && !DOTTED_QUAD.matcher(addr).matches()) {
        throw new IllegalStateException("not a CIDR range: " + text);
      }
      try {
        byte[] bytes = InetAddress.getByName(addr).getAddress();
        int prefix = Integer.parseInt(text.substring(slash + 1));
        if (prefix < 0 || prefix > bytes.length * 8) {
          throw new IllegalStateException("bad prefix length in " + text);
        }
        return new Cidr(bytes, prefix);
      } catch (UnknownHostException | NumberFormatException e) {
        throw new IllegalStateException("not a CIDR range: " + text, e);
      }
    }

    boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) {
        return false;
      }
      return prefixBits(a).equals(prefixBits(network));
    }

    /** Whether the other range lies entirely inside this one. */
    boolean covers(Cidr other) {
      return other.network.length == network.length
          && other.prefix >= prefix
          && new Cidr(other.network, prefix).prefixBits(other.network).equals(prefixBits(network));
    }

    private BigInteger prefixBits(byte[] bytes) {
      return new BigInteger(1, bytes).shiftRight(bytes.length * 8 - prefix);
    }
  }
}
