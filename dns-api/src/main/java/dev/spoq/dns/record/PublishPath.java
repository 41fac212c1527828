package dev.spoq.dns.record;

import java.util.Locale;

/**
 * Which working path a published address belongs to (contract C5): the Jetson's home address, or
 * its relay's public address while the direct path is down. The agent decides; dns-api records it.
 */
public enum PublishPath {
  DIRECT,
  RELAY;

  /** The wire and database form: {@code direct} or {@code relay}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** {@code direct} when absent. */
  public static PublishPath fromWire(String value) {
    return value == null ? DIRECT : valueOf(value.toUpperCase(Locale.ROOT));
  }
}
