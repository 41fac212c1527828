package dev.spoq.relay.config;

import dev.spoq.common.token.Tokens;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three secrets of the relay fleet, checked once at start-up. An empty setting gets a random
 * value for this process only, with a warning: enough to try the service, never for production
 * (frps would need the same values, and credentials would change on every restart).
 */
public final class RelaySecrets {

  private static final Logger log = LoggerFactory.getLogger(RelaySecrets.class);
  private static final Pattern PATH_SAFE = Pattern.compile("[A-Za-z0-9_-]{16,128}");
  private static final Pattern FRPS_TOKEN = Pattern.compile("[A-Za-z0-9._~+/=-]{16,256}");

  private final String pluginSecret;
  private final String frpsAuthToken;
  private final byte[] credentialKey;

  public RelaySecrets(RelayProperties.Relay relay) {
    this.pluginSecret = orRandom(relay.pluginSecret(), "spoq.relay.plugin-secret", "spoq_plg");
    if (!PATH_SAFE.matcher(pluginSecret).matches()) {
      throw new IllegalStateException(
          "spoq.relay.plugin-secret must be 16-128 characters of [A-Za-z0-9_-] (it is a URL path segment)");
    }
    this.frpsAuthToken = orRandom(relay.frpsAuthToken(), "spoq.relay.frps-auth-token", "spoq_frp");
    if (!FRPS_TOKEN.matcher(frpsAuthToken).matches()) {
      // frps.toml inserts it as {{ .Envs.FRPS_AUTH_TOKEN }} inside a TOML string, unescaped.
      throw new IllegalStateException(
          "spoq.relay.frps-auth-token must be 16-256 characters of [A-Za-z0-9._~+/=-]"
              + " (no quotes, backslashes or spaces: frps.toml inserts it unescaped)");
    }
    String key = orRandom(relay.credentialKey(), "spoq.relay.credential-key", "spoq_rck");
    if (key.length() < 32) {
      throw new IllegalStateException("spoq.relay.credential-key must be at least 32 characters");
    }
    this.credentialKey = key.getBytes(StandardCharsets.UTF_8);
  }

  private static String orRandom(String configured, String property, String prefix) {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    log.warn(
        "{} is not set: using a random value for this process only. Set it (see the relay-coordinator README) before pointing real frps/frpc at this service.",
        property);
    return Tokens.generate(prefix);
  }

  /** Compares a presented plugin path segment with the configured one in constant time. */
  public boolean pluginSecretMatches(String presented) {
    return Tokens.constantTimeEquals(pluginSecret, presented);
  }

  public String pluginSecret() {
    return pluginSecret;
  }

  public String frpsAuthToken() {
    return frpsAuthToken;
  }

  public byte[] credentialKey() {
    return credentialKey.clone();
  }
}
