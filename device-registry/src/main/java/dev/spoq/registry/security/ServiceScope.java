package dev.spoq.registry.security;

/** An internal operation a service token may be allowed to call. */
public enum ServiceScope {
  INTROSPECT_DEVICE_TOKEN,
  INTROSPECT_API_KEY,
  READ_SSH_KEYS,
  READ_CONTAINER_ROUTE,
  READ_JETSON,
  READ_JETSON_STATUS,
  WRITE_AUDIT,
  READ_REVOCATIONS
}
