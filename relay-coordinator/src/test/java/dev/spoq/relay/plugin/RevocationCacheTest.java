package dev.spoq.relay.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.RegistryClient;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.config.RelayProperties;
import dev.spoq.relay.support.SharedRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Revocation answers from the real registry, and failing closed when no registry answers. */
class RevocationCacheTest {

  private static RelayProperties properties() {
    return new RelayProperties(null, null, null, null);
  }

  /** A feed that never ran: the cache uses its short TTL, as when the feed is down. */
  private static dev.spoq.common.registry.RevocationFeed notStarted(RegistryClient client) {
    return new dev.spoq.common.registry.RevocationFeed(
        client, null, dev.spoq.common.registry.RevocationFeed.Settings.defaults());
  }

  @Test
  void answersFromTheRealRegistry() {
    RunningRegistry registry = SharedRegistry.get();
    String name = "rc" + UUID.randomUUID().toString().substring(0, 8);
    RunningRegistry.Account account =
        registry.createAccount(name, name, RunningRegistry.Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(
            account, dev.spoq.common.wireguard.X25519.generate().publicKey().base64(), name);
    RevocationCache cache =
        new RevocationCache(
            registry.registryClient("relay-coordinator"),
            properties(),
            notStarted(registry.registryClient("relay-coordinator")),
            Clock.systemUTC());
    assertThat(cache.check(jetson.jetsonId(), false)).isEqualTo(RevocationCache.Verdict.ACTIVE);
    assertThat(cache.check(UUID.randomUUID(), false)).isEqualTo(RevocationCache.Verdict.UNKNOWN);
    registry.revokeJetson(jetson.jetsonId());
    // still cached (10 s default), then the fresh answer once forgotten
    assertThat(cache.check(jetson.jetsonId(), false)).isEqualTo(RevocationCache.Verdict.ACTIVE);
    cache.forget(jetson.jetsonId());
    assertThat(cache.check(jetson.jetsonId(), false)).isEqualTo(RevocationCache.Verdict.REVOKED);
  }

  @Test
  void failsClosedWhenTheRegistryCannotBeReached() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    RegistryClient unreachable =
        new RegistryClient(
            URI.create("http://127.0.0.1:" + closedPort), "token", Duration.ofSeconds(1));
    RevocationCache cache =
        new RevocationCache(unreachable, properties(), notStarted(unreachable), Clock.systemUTC());
    UUID jetson = UUID.randomUUID();
    assertThat(cache.check(jetson, false)).isEqualTo(RevocationCache.Verdict.UNAVAILABLE);
    // no earlier "not revoked" answer: a Ping is refused too
    assertThat(cache.check(jetson, true)).isEqualTo(RevocationCache.Verdict.UNAVAILABLE);
  }
}
