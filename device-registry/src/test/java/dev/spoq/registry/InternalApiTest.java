package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.common.registry.AccountSshKeys;
import dev.spoq.common.registry.ApiKeyIntrospection;
import dev.spoq.common.registry.AuditEvent;
import dev.spoq.common.registry.ContainerRoute;
import dev.spoq.common.registry.DeviceTokenIntrospection;
import dev.spoq.common.registry.JetsonStatus;
import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The contract of docs/internal-api.md, through the typed client other services use. */
class InternalApiTest {

  static final String ED25519 =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop";

  private final RunningRegistry registry = SharedRegistry.get();
  private final RegistryClient client = registry.registryClient("test");
  private final RegistryClient jumpRouter = registry.registryClient("jump-router");
  private final RegistryClient relay = registry.registryClient("relay-coordinator");

  @Test
  void deviceTokenIntrospectionFollowsRotationAndRevocation() {
    String name = SharedRegistry.name("intro");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "jetson");

    DeviceTokenIntrospection active = client.introspectDeviceToken(jetson.deviceToken());
    assertThat(active)
        .isEqualTo(
            new DeviceTokenIntrospection(
                true, jetson.jetsonId(), account.id(), name, name, name + ".spoq.dev"));

    String rotated = registry.rotateDeviceToken(jetson.jetsonId());
    assertThat(client.introspectDeviceToken(jetson.deviceToken()).active()).isFalse();
    assertThat(client.introspectDeviceToken(rotated).active()).isTrue();
    // effective immediately on the agent API too
    assertThat(registry.call("GET", "/api/jetsons/self", jetson.deviceToken(), null).status())
        .isEqualTo(401);
    assertThat(registry.call("GET", "/api/jetsons/self", rotated, null).status()).isEqualTo(200);

    RunningRegistry.Response revoked =
        registry.call(
            "POST",
            "/api/jetsons/" + jetson.jetsonId() + "/device-token/revoke",
            account.apiKey(),
            null);
    assertThat(revoked.status()).isEqualTo(200);
    assertThat(client.introspectDeviceToken(rotated).active()).isFalse();

    String third = registry.rotateDeviceToken(jetson.jetsonId());
    assertThat(client.introspectDeviceToken(third).active()).isTrue();
    registry.revokeJetson(jetson.jetsonId());
    DeviceTokenIntrospection afterRevoke = client.introspectDeviceToken(third);
    assertThat(afterRevoke.active()).isFalse();
    assertThat(afterRevoke.jetsonId()).isNull();

    assertThat(client.introspectDeviceToken("spoq_dev_garbage").active()).isFalse();
    assertThat(client.introspectDeviceToken("").active()).isFalse();
  }

  @Test
  void apiKeyIntrospection() {
    String name = SharedRegistry.name("keys");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.CLOUD);
    ApiKeyIntrospection accountKey = client.introspectApiKey(account.apiKey());
    assertThat(accountKey).isEqualTo(new ApiKeyIntrospection(true, "ACCOUNT", account.id(), name));
    assertThat(accountKey.permits(name)).isTrue();
    assertThat(accountKey.permits("someone-else")).isFalse();

    ApiKeyIntrospection admin = client.introspectApiKey(registry.adminKey());
    assertThat(admin).isEqualTo(new ApiKeyIntrospection(true, "ADMIN", null, null));

    JsonNode created =
        registry
            .call(
                "POST",
                "/api/api-keys",
                registry.adminKey(),
                Map.of("scope", "ADMIN", "name", "ops"))
            .json();
    String opsKey = created.get("key").asString();
    assertThat(client.introspectApiKey(opsKey).isAdmin()).isTrue();
    assertThat(
            registry
                .call(
                    "DELETE",
                    "/api/api-keys/" + created.get("id").asString(),
                    registry.adminKey(),
                    null)
                .status())
        .isEqualTo(204);
    assertThat(client.introspectApiKey(opsKey).active()).isFalse();
    assertThat(client.introspectApiKey("spoq_key_nope").active()).isFalse();
  }

  @Test
  void sshKeysRouteJetsonsStatusAndAudit() {
    String name = SharedRegistry.name("int");
    registry.createAccount(name, name, Product.CLOUD);
    assertThat(jumpRouter.sshKeys(name)).contains(new AccountSshKeys(name, java.util.List.of()));
    RunningRegistry.SshKey key = registry.addSshKey(name, ED25519);
    AccountSshKeys keys = jumpRouter.sshKeys(name).orElseThrow();
    assertThat(keys.keys()).hasSize(1);
    assertThat(keys.keys().get(0).publicKey()).isEqualTo(ED25519);
    assertThat(keys.keys().get(0).fingerprint()).isEqualTo(key.fingerprint());
    registry.revokeSshKey(name, key.id());
    assertThat(jumpRouter.sshKeys(name).orElseThrow().keys()).isEmpty();
    assertThat(jumpRouter.sshKeys("no-such-user")).isEmpty();

    assertThat(jumpRouter.containerRoute(name)).isEmpty();
    registry.setContainerRoute(name, "container-" + name, 2022, ED25519);
    assertThat(jumpRouter.containerRoute(name))
        .contains(
            new ContainerRoute(
                name,
                "container-" + name,
                2022,
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"));
    assertThat(jumpRouter.containerRoute("no-such-user")).isEmpty();

    String jname = SharedRegistry.name("intj");
    RunningRegistry.Account jaccount =
        registry.createAccount(jname, jname + "-box", Product.JETSON);
    String jetsonKey = X25519.generate().publicKey().base64();
    RunningRegistry.EnrolledJetson jetson = registry.enrollJetson(jaccount, jetsonKey, "nano");
    JetsonSummary expected =
        new JetsonSummary(
            jetson.jetsonId(),
            jaccount.id(),
            jname,
            jname + "-box",
            jname + "-box.spoq.dev",
            jetsonKey,
            false);
    assertThat(relay.jetson(jetson.jetsonId())).contains(expected);
    assertThat(relay.jetsonBySubdomain(jname + "-box")).contains(expected);
    assertThat(relay.jetson(UUID.randomUUID())).isEmpty();
    assertThat(relay.jetsonBySubdomain("nothing-here")).isEmpty();

    assertThat(relay.jetsonStatus(jetson.jetsonId())).isEmpty();
    registry.reportStatus(
        jetson.deviceToken(),
        Map.of("relay", Map.of("connected", true, "server", "relay.spoq.dev")));
    JetsonStatus status = relay.jetsonStatus(jetson.jetsonId()).orElseThrow();
    assertThat(status.report().get("relay").get("connected").asBoolean()).isTrue();
    assertThat(status.receivedAt()).isBefore(java.time.Instant.now().plusSeconds(1));

    jumpRouter.recordAudit(
        new AuditEvent(
            "user:" + name,
            "ssh.forward.denied",
            "container-bob:22",
            "203.0.113.9",
            "DENIED",
            Map.of("fingerprint", key.fingerprint())));
    JsonNode events =
        registry
            .call("GET", "/api/audit-events?action=ssh.forward.denied", registry.adminKey(), null)
            .json()
            .get("items");
    JsonNode event = null;
    for (JsonNode e : events) {
      if (e.get("actor").asString().equals("user:" + name)) {
        event = e;
      }
    }
    assertThat(event).isNotNull();
    assertThat(event.get("service").asString()).isEqualTo("jump-router");
    assertThat(event.get("outcome").asString()).isEqualTo("DENIED");
    assertThat(event.get("sourceIp").asString()).isEqualTo("203.0.113.9");
    assertThat(event.get("accountId").asString()).isNotEmpty();
  }

  @Test
  void eachServiceTokenIsScopedToItsOwnOperations() {
    String name = SharedRegistry.name("scope");
    RunningRegistry.Account bob = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(bob, X25519.generate().publicKey().base64(), "jetson");
    String dns = registry.serviceToken("dns-api");
    String jump = registry.serviceToken("jump-router");
    String relayToken = registry.serviceToken("relay-coordinator");

    // each may call what it needs ...
    assertThat(
            registry.registryClient("dns-api").introspectDeviceToken(jetson.deviceToken()).active())
        .isTrue();
    assertThat(
            registry
                .call("GET", "/internal/v1/jetsons/" + jetson.jetsonId(), relayToken, null)
                .status())
        .isEqualTo(200);
    assertThat(
            registry
                .call("GET", "/internal/v1/accounts/" + name + "/ssh-keys", jump, null)
                .status())
        .isEqualTo(200);
    // ... and nothing else
    Problems.assertProblem(
        registry.call("GET", "/internal/v1/accounts/" + name + "/ssh-keys", dns, null), 403);
    Problems.assertProblem(
        registry.call("GET", "/internal/v1/jetsons/" + jetson.jetsonId() + "/status", dns, null),
        403);
    Problems.assertProblem(
        registry.call(
            "POST",
            "/internal/v1/device-tokens/introspect",
            jump,
            Map.of("token", jetson.deviceToken())),
        403);
    Problems.assertProblem(
        registry.call("GET", "/internal/v1/jetsons/" + jetson.jetsonId(), jump, null), 403);
    Problems.assertProblem(
        registry.call(
            "GET", "/internal/v1/accounts/" + name + "/container-route", relayToken, null),
        403);

    // issue 13 item 2: a forged success in bob's name from another namespace is refused
    long before = auditCount(name);
    for (Map<String, Object> forged :
        java.util.List.<Map<String, Object>>of(
            Map.of("actor", "user:" + name, "action", "device.create", "outcome", "SUCCESS"),
            Map.of("actor", "user:" + name, "action", "ssh.session", "outcome", "SUCCESS"),
            Map.of(
                "actor",
                "service:jump-router",
                "action",
                "dns.record.updated",
                "outcome",
                "SUCCESS"))) {
      Problems.assertProblem(registry.call("POST", "/internal/v1/audit-events", dns, forged), 403);
    }
    assertThat(auditCount(name)).isEqualTo(before);
    // within its own namespace it records, and the event names the sending service
    RunningRegistry.Response own =
        registry.call(
            "POST",
            "/internal/v1/audit-events",
            dns,
            Map.of("actor", "user:" + name, "action", "dns.record.updated", "outcome", "SUCCESS"));
    assertThat(own.status()).isEqualTo(201);
    JsonNode items =
        registry
            .call("GET", "/api/audit-events?action=dns.record.updated", bob.apiKey(), null)
            .json()
            .get("items");
    assertThat(items).anySatisfy(e -> assertThat(e.get("service").asString()).isEqualTo("dns-api"));
    // the refusals are audited
    JsonNode denials =
        registry
            .call(
                "GET",
                "/api/audit-events?outcome=DENIED&action=internal.read_ssh_keys",
                registry.adminKey(),
                null)
            .json()
            .get("items");
    assertThat(denials)
        .anySatisfy(e -> assertThat(e.get("actor").asString()).isEqualTo("service:dns-api"));
  }

  private long auditCount(String username) {
    long n = 0;
    for (JsonNode e :
        registry
            .call("GET", "/api/audit-events?size=200&outcome=SUCCESS", registry.adminKey(), null)
            .json()
            .get("items")) {
      if (e.get("actor").asString().equals("user:" + username)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void refusesEverythingButServiceCredentials() {
    String name = SharedRegistry.name("deny");
    RunningRegistry.Account account = registry.createAccount(name, name, Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "jetson");
    for (String credential :
        new String[] {account.apiKey(), registry.adminKey(), jetson.deviceToken()}) {
      Problems.assertProblem(
          registry.call(
              "POST", "/internal/v1/device-tokens/introspect", credential, Map.of("token", "x")),
          403);
    }
    Problems.assertProblem(
        registry.call("GET", "/internal/v1/accounts/" + name + "/ssh-keys", null, null), 401);
    Problems.assertProblem(
        registry.call(
            "GET", "/internal/v1/accounts/" + name + "/ssh-keys", "spoq_svc_not-a-token", null),
        401);
    RegistryClient wrong =
        new RegistryClient(URI.create(registry.baseUrl()), "wrong-token", Duration.ofSeconds(5));
    assertThatThrownBy(() -> wrong.sshKeys(name)).isInstanceOf(RegistryUnavailableException.class);
  }
}
