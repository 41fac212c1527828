package dev.spoq.relay.fleet;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The oldest frp the Spoq relay config works with: 0.56 ({@code deploy/frp/frps.toml} uses the
 * template function {@code parseNumberRange}, which first appears there). A relay whose frps
 * reports an older or unreadable version in {@code /api/serverinfo} never counts as UP.
 */
final class FrpsVersions {

  static final String MINIMUM = "0.56.0";
  private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*");

  private FrpsVersions() {}

  static boolean supported(String version) {
    if (version == null) {
      return false;
    }
    Matcher m = VERSION.matcher(version.strip());
    if (!m.matches()) {
      return false;
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    return major > 0 || minor >= 56;
  }
}
