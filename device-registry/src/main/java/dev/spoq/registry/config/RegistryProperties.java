package dev.spoq.registry.config;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything the registry reads from configuration under {@code spoq.*}.
 *
 * @param domain the product domain; a Jetson's FQDN is {@code <subdomain>.<domain>}
 * @param security service credentials and the optional bootstrap admin key
 * @param ssh the jump host name used in generated {@code ~/.ssh/config} snippets
 * @param limits request body cap
 */
@ConfigurationProperties("spoq")
public record RegistryProperties(String domain, Security security, Ssh ssh, Limits limits) {

  public RegistryProperties {
    domain = blank(domain) ? "spoq.dev" : domain;
    security = security == null ? new Security(Map.of(), "", Map.of()) : security;
    ssh = ssh == null ? new Ssh("") : ssh;
    limits = limits == null ? new Limits(65536) : limits;
  }

  /**
   * @param serviceTokens calling service name -> its bearer token
   * @param bootstrapAdminKey an ADMIN API key given by configuration; empty for none
   * @param serviceScopes calling service name -> the internal operations it may call ({@code *} for
   *     all); services not named here get their built-in defaults ({@code ServiceScopes})
   */
  public record Security(
      Map<String, String> serviceTokens,
      String bootstrapAdminKey,
      Map<String, List<String>> serviceScopes) {
    public Security {
      serviceTokens = serviceTokens == null ? Map.of() : Map.copyOf(serviceTokens);
      serviceScopes = serviceScopes == null ? Map.of() : Map.copyOf(serviceScopes);
      bootstrapAdminKey = bootstrapAdminKey == null ? "" : bootstrapAdminKey.trim();
    }
  }

  public record Ssh(String jumpHost) {}

  public record Limits(long maxBodyBytes) {
    public Limits {
      maxBodyBytes = maxBodyBytes <= 0 ? 65536 : maxBodyBytes;
    }
  }

  /** The host name users put in {@code ProxyJump}. */
  public String jumpHost() {
    return blank(ssh.jumpHost()) ? "ssh." + domain : ssh.jumpHost();
  }

  public String fqdn(String subdomain) {
    return subdomain + "." + domain;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
