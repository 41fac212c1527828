package dev.spoq.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 20: the frps auth.token is inserted unescaped into frps.toml, so its alphabet is
 * safe.
 */
class RelaySecretsTest {

  private static RelayProperties.Relay withToken(String token) {
    return new RelayProperties.Relay(
        "plugin_secret_0123456789",
        token,
        "credential-key-0123456789abcdef0123456789",
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  @Test
  void tokensThatWouldBreakFrpsTomlAreRefusedAtStart() {
    for (String bad :
        new String[] {
          "token-with-\"quote-123", "token-with-\\\\backslash", "token with spaces 123", "short"
        }) {
      assertThatThrownBy(() -> new RelaySecrets(withToken(bad)))
          .as(bad)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("frps-auth-token");
    }
    assertThat(new RelaySecrets(withToken("fleet.Token_0123+/=~-")).frpsAuthToken())
        .isEqualTo("fleet.Token_0123+/=~-");
  }
}
