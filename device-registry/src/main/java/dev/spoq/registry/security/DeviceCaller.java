package dev.spoq.registry.security;

import java.util.UUID;

/** A Jetson agent holding an active device token of a non-revoked Jetson. */
public record DeviceCaller(
    UUID tokenId, UUID jetsonId, UUID accountId, String username, String subdomain, String sourceIp)
    implements Caller {

  @Override
  public String actor() {
    return "jetson:" + jetsonId;
  }
}
