package dev.spoq.common.ipplan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The address plan of every Jetson's WireGuard network, 10.100.0.0/24.
 *
 * <ul>
 *   <li>{@code .1} is the Jetson;
 *   <li>profile n (1..24) owns {@code .n0}..{@code .n9};
 *   <li>{@code .250}..{@code .254} are reserved (relay, future use).
 * </ul>
 */
public final class WireGuardAddressPlan {

  public static final String NETWORK = "10.100.0.0/24";
  public static final String PREFIX = "10.100.0.";
  public static final String JETSON_ADDRESS = "10.100.0.1";
  public static final String JETSON_INTERFACE_ADDRESS = "10.100.0.1/24";
  public static final int LISTEN_PORT = 51820;
  public static final int MAX_PROFILES = 24;
  public static final int DEVICES_PER_PROFILE = 10;

  private WireGuardAddressPlan() {}

  public static boolean isValidProfile(int profile) {
    return profile >= 1 && profile <= MAX_PROFILES;
  }

  /** Host octets a profile may use, in allocation order. */
  public static List<Integer> hostOctetsOf(int profile) {
    requireProfile(profile);
    List<Integer> octets = new ArrayList<>(DEVICES_PER_PROFILE);
    for (int i = 0; i < DEVICES_PER_PROFILE; i++) {
      octets.add(profile * 10 + i);
    }
    return Collections.unmodifiableList(octets);
  }

  /** The profile owning a host octet, or 0 for the Jetson, reserved or unused octets. */
  public static int profileOf(int hostOctet) {
    if (hostOctet < 10 || hostOctet > 249) {
      return 0;
    }
    return hostOctet / 10;
  }

  public static String address(int hostOctet) {
    if (hostOctet < 1 || hostOctet > 254) {
      throw new IllegalArgumentException("host octet out of range: " + hostOctet);
    }
    return PREFIX + hostOctet;
  }

  /** {@code 10.100.0.x/32}, the form used in AllowedIPs on the Jetson side. */
  public static String hostRoute(int hostOctet) {
    return address(hostOctet) + "/32";
  }

  private static void requireProfile(int profile) {
    if (!isValidProfile(profile)) {
      throw new IllegalArgumentException(
          "profile must be between 1 and " + MAX_PROFILES + ", was " + profile);
    }
  }
}
