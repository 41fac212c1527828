package dev.spoq.dns.record.web;

import dev.spoq.dns.config.DnsProperties;
import dev.spoq.dns.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** The per-source-address and per-device limits of {@code spoq.dns.rate-limit}. */
@Component
class DnsRateLimits {

  private final boolean enabled;
  private final RateLimiter perSourceIp;
  private final RateLimiter perDevice;
  private final MeterRegistry meters;

  DnsRateLimits(DnsProperties properties, Clock clock, MeterRegistry meters) {
    DnsProperties.RateLimit limits = properties.rateLimit();
    this.enabled = limits.enabled();
    this.perSourceIp = new RateLimiter(limits.sourceIpRequests(), limits.sourceIpWindow(), clock);
    this.perDevice = new RateLimiter(limits.deviceRequests(), limits.deviceWindow(), clock);
    this.meters = meters;
  }

  void checkSourceIp(String sourceIp) {
    if (!enabled) {
      return;
    }
    RateLimiter.Decision d = perSourceIp.tryAcquire(sourceIp);
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
    RateLimiter.Decision d = perDevice.tryAcquire(jetsonId.toString());
    if (!d.allowed()) {
      meters.counter("dns.rate_limited", "by", "device").increment();
      throw new RateLimitedException(
          "Too many DNS updates from this device; retry after the time in Retry-After.",
          d.retryAfter());
    }
  }
}
