package dev.spoq.relay.fleet;

import java.time.Instant;

/**
 * A relay host, as stored. Kind {@code frp}: frps with per-Jetson UDP ports, polled through its
 * admin API ({@code adminPassword} never leaves this service). Kind {@code spoq}: relay-server,
 * clients on UDP {@code wgPort}, agents on {@code agentPort}; it reports to this service (the
 * frp-only fields are 0 or empty).
 *
 * @param status {@code UNKNOWN} (never polled / never reported), {@code UP} or {@code DOWN}
 */
public record Relay(
    String id,
    String kind,
    String region,
    String publicHost,
    int bindPort,
    int portRangeStart,
    int portRangeEnd,
    int capacity,
    String adminUrl,
    String adminUser,
    String adminPassword,
    String status,
    boolean draining,
    int consecutiveFailures,
    Instant lastCheckAt,
    Instant lastOkAt,
    String lastError,
    String frpsVersion,
    Long clientCount,
    Long proxyCount,
    int wgPort,
    int agentPort,
    Instant lastReportAt) {

  public static final String FRP = "frp";
  public static final String SPOQ = "spoq";

  public static final String UP = "UP";
  public static final String DOWN = "DOWN";
  public static final String UNKNOWN = "UNKNOWN";

  /** How many Jetsons this relay can hold: its capacity, bounded by its UDP port range. */
  public int effectiveCapacity() {
    return isSpoq() ? capacity : Math.min(capacity, portRangeEnd - portRangeStart + 1);
  }

  public boolean isSpoq() {
    return SPOQ.equals(kind);
  }

  public boolean isUp() {
    return UP.equals(status);
  }

  /** Whether new Jetsons may be put here (up and not draining; free room is checked apart). */
  public boolean acceptsNewJetsons() {
    return isUp() && !draining;
  }

  /** Whether the Jetsons already here should stay. An UNKNOWN relay keeps its Jetsons. */
  public boolean keepsJetsons() {
    return !DOWN.equals(status) && !draining;
  }

  /** Where agents connect: frps's bind port, or relay-server's agent port. */
  public String endpoint() {
    return hostPort(publicHost, isSpoq() ? agentPort : bindPort);
  }

  /** {@code host:port}, with brackets around an IPv6 literal. */
  public static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
