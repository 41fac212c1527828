package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import org.junit.jupiter.api.Test;

/** The registry honours the shared configuration keys (its own instance, not the shared one). */
class ConfigurationTest {

  @Test
  void operatorChosenAdminKeyDomainAndExtraServiceTokens() {
    try (RunningRegistry registry =
        RunningRegistry.builder()
            .property("spoq.security.bootstrap-admin-key", "operator-chosen-secret-1234")
            .property("spoq.domain", "example.test")
            .serviceToken("billing", "billing-token-abcdefghijklmnop")
            .property("spoq.security.service-scopes.billing", "introspect-device-token")
            .start()) {
      assertThat(registry.adminKey()).isEqualTo("operator-chosen-secret-1234");
      RunningRegistry.Account account = registry.createAccount("carol", "carol", Product.JETSON);
      RunningRegistry.EnrolledJetson jetson =
          registry.enrollJetson(account, X25519.generate().publicKey().base64(), "nano");
      assertThat(jetson.fqdn()).isEqualTo("carol.example.test");
      assertThat(
              registry.registryClient("billing").introspectDeviceToken(jetson.deviceToken()).fqdn())
          .isEqualTo("carol.example.test");
      // scoped: only what its configuration names
      assertThat(
              registry
                  .call(
                      "GET",
                      "/internal/v1/jetsons/" + jetson.jetsonId(),
                      "billing-token-abcdefghijklmnop",
                      null)
                  .status())
          .as("out of scope")
          .isEqualTo(403);
      assertThat(registry.call("GET", "/api/accounts", "operator-chosen-secret-123", null).status())
          .isEqualTo(401);
    }
  }
}
