package dev.spoq.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.push.RevocationLog;
import org.junit.jupiter.api.Test;

/**
 * Which revocation notifications empty the device-token cache: those that may concern a device
 * token (a token or a whole Jetson revoked, or an announcement of unknown kind), never fewer. A
 * phone's key, an API key or an SSH key being revoked leaves it, so device churn does not send
 * every agent's next request to the database.
 */
class CredentialsRevocationKindsTest {

  @Test
  void tokenAndJetsonRevocationsAndUnknownAnnouncementsEmptyTheCache() {
    assertThat(Credentials.concernsDeviceTokens(RevocationLog.Kind.DEVICE_TOKEN.name())).isTrue();
    assertThat(Credentials.concernsDeviceTokens(RevocationLog.Kind.JETSON.name())).isTrue();
    assertThat(Credentials.concernsDeviceTokens("")).isTrue();
    assertThat(Credentials.concernsDeviceTokens(null)).isTrue();
    assertThat(Credentials.concernsDeviceTokens("SOMETHING_NEW")).isTrue();
  }

  @Test
  void revocationsThatCannotConcernADeviceTokenKeepIt() {
    assertThat(Credentials.concernsDeviceTokens(RevocationLog.Kind.DEVICE.name())).isFalse();
    assertThat(Credentials.concernsDeviceTokens(RevocationLog.Kind.API_KEY.name())).isFalse();
    assertThat(Credentials.concernsDeviceTokens(RevocationLog.Kind.SSH_KEY.name())).isFalse();
  }
}
