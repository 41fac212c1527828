package dev.spoq.relay.fleet;

import java.time.Instant;

/**
 * A relay host running frps, as stored. {@code adminPassword} never leaves this service.
 *
 * @param status {@code UNKNOWN} (never polled), {@code UP} or {@code DOWN}
 */
public record Relay(
    String id,
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
    Long proxyCount) {

  public static final String UP = "UP";
  public static final String DOWN = "DOWN";
  public static final String UNKNOWN = "UNKNOWN";

  /** How many Jetsons this relay can hold: its capacity, bounded by its UDP port range. */
  public int effectiveCapacity() {
    return Math.min(capacity, portRangeEnd - portRangeStart + 1);
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

  public String endpoint() {
    return hostPort(publicHost, bindPort);
  }

  /** {@code host:port}, with brackets around an IPv6 literal. */
  public static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
