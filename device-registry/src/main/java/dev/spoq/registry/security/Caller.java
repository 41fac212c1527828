package dev.spoq.registry.security;

/** Who made an authenticated request: a web-app API key, a Jetson device token or a service. */
public sealed interface Caller permits ApiKeyCaller, DeviceCaller, ServiceCaller {

  /** How the caller appears in audit events, e.g. {@code user:alice} or {@code service:dns-api}. */
  String actor();

  String sourceIp();
}
