package dev.spoq.dns.record.web;

import dev.spoq.dns.config.DnsProperties;
import dev.spoq.dns.ratelimit.SharedRateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The per-source-address and per-device limits of {@code spoq.dns.rate-limit}, shared by every
 * replica through PostgreSQL: a client cannot multiply its budget by reaching several replicas.
 */
@Component
class DnsRateLimits {

  private final boolean enabled;
  private final SharedRateLimiter perSourceIp;
  private final SharedRateLimiter perDevice;
  private final MeterRegistry meters;

  DnsRateLimits(DnsProperties properties, JdbcClient jdbc, MeterRegistry meters) {
    DnsProperties.RateLimit limits = properties.rateLimit();
    this.enabled = limits.enabled();
    this.perSourceIp =
        new SharedRateLimiter(jdbc, "ip", limits.sourceIpRequests(), limits.sourceIpWindow());
    this.perDevice =
        new SharedRateLimiter(jdbc, "device", limits.deviceRequests(), limits.deviceWindow());
    this.meters = meters;
  }

  void checkSourceIp(String sourceIp) {
    if (!enabled) {
      return;
    }
    SharedRateLimiter.Decision d = perSourceIp.tryAcquire(sourceIp);
    if (!d.allowed()) {
      meters.counter("dns.rate_limited", "by", "source_ip").increment();
      throw new RateLimitedException(
          "Too many requests from this address; retry after the time in Retry-After.",
          d.retryAfter());
    }
  }

  void checkDevice(UUID jetsonId) {
    if (!enabled) {
      return;
    }
    SharedRateLimiter.Decision d = perDevice.tryAcquire(jetsonId.toString());
    if (!d.allowed()) {
      meters.counter("dns.rate_limited", "by", "device").increment();
      throw new RateLimitedException(
          "Too many DNS updates from this device; retry after the time in Retry-After.",
          d.retryAfter());
    }
  }
}
