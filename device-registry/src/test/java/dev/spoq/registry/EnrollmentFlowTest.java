package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.DeviceTokenIntrospection;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class EnrollmentFlowTest {

  private final RunningRegistry registry = SharedRegistry.get();

  @Test
  void enrollsAJetsonWithASingleUseCodeAndAnswersItsNetworkSettings() {
    String name = SharedRegistry.name("enr");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    String code = registry.newEnrollmentCode(account);
    String key = X25519.generate().publicKey().base64();

    RunningRegistry.Response enrolled =
        registry.call(
            "POST",
            "/api/jetsons/enroll",
            null,
            Map.of("code", code, "publicKey", key, "hostname", "jetson-" + name));
    assertThat(enrolled.status()).isEqualTo(201);
    JsonNode body = enrolled.json();
    assertThat(body.get("deviceToken").asString()).startsWith("spoq_dev_");
    assertThat(body.get("address").asString()).isEqualTo("10.100.0.1/24");
    assertThat(body.get("listenPort").asInt()).isEqualTo(51820);
    assertThat(body.get("fqdn").asString()).isEqualTo(name + ".spoq.dev");
    assertThat(body.get("sshUsers").get(0).asString()).isEqualTo(name);

    // single use
    RunningRegistry.Response again =
        registry.call(
            "POST",
            "/api/jetsons/enroll",
            null,
            Map.of("code", code, "publicKey", key, "hostname", "other"));
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.header("Content-Type")).contains("application/problem+json");

    String token = body.get("deviceToken").asString();
    RunningRegistry.Response self = registry.call("GET", "/api/jetsons/self", token, null);
    assertThat(self.status()).isEqualTo(200);
    assertThat(self.json().get("jetsonId").asString()).isEqualTo(body.get("jetsonId").asString());

    RegistryClient client = registry.registryClient("dns-api");
    DeviceTokenIntrospection introspection = client.introspectDeviceToken(token);
    assertThat(introspection.active()).isTrue();
    assertThat(introspection.subdomain()).isEqualTo(name);
    assertThat(introspection.fqdn()).isEqualTo(name + ".spoq.dev");
  }
}
