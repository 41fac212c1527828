package dev.spoq.registry.device;

import dev.spoq.common.ipplan.WireGuardAddressPlan;
import java.time.Instant;
import java.util.UUID;

/** A client device (phone, laptop) of one profile on one Jetson. */
public record Device(
    UUID id,
    UUID jetsonId,
    int profile,
    String name,
    String publicKey,
    Integer hostOctet,
    int lastHostOctet,
    Instant createdAt,
    Instant keyUpdatedAt,
    Instant revokedAt) {

  public boolean revoked() {
    return revokedAt != null;
  }

  /** {@code 10.100.0.x} (the last one it had, when revoked). */
  public String address() {
    return WireGuardAddressPlan.address(hostOctet != null ? hostOctet : lastHostOctet);
  }
}
