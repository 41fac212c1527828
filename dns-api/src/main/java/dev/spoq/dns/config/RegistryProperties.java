package dev.spoq.dns.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code spoq.registry.*}: where the device registry is and this service's credential for its
 * internal API.
 */
@ConfigurationProperties("spoq.registry")
public record RegistryProperties(
    @DefaultValue("http://localhost:8081") String baseUrl,
    @DefaultValue("") String serviceToken,
    @DefaultValue("5s") Duration timeout) {

  @Override
  public String toString() {
    return "RegistryProperties[baseUrl=" + baseUrl + ", serviceToken=***]";
  }
}
