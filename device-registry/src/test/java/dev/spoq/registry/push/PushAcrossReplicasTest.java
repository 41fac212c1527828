package dev.spoq.registry.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.common.registry.RevocationEvent;
import dev.spoq.common.registry.RevocationFeed;
import dev.spoq.common.registry.Revocations;
import dev.spoq.common.token.Tokens;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contract C4 across two registry replicas on one PostgreSQL database: a change made through
 * replica A wakes a long-poll held on replica B (LISTEN/NOTIFY) within 2 s.
 */
class PushAcrossReplicasTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final int B_MAX_WAITERS = 20;

  private static RunningRegistry a;
  private static RunningRegistry b;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    a = RunningRegistry.start();
    // B: few servlet threads, so held long-polls would starve it if each pinned a thread.
    b =
        RunningRegistry.replicaOf(
            a, Map.of("server.tomcat.threads.max", 4, "spoq.push.max-waiters", B_MAX_WAITERS));
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  @Test
  void revokeOnOneReplicaWakesRevocationLongPollOnTheOtherWithinTwoSeconds() throws Exception {
    RunningRegistry.EnrolledJetson jetson = enrolled("rev");
    long cursor = feed(b, null, 0).cursor();

    long started = System.nanoTime();
    CompletableFuture<HttpResponse<String>> poll =
        send(b, "/internal/v1/revocations?after=" + cursor + "&wait=30", "dns-api", Map.of());
    Thread.sleep(500);
    assertThat(poll).isNotDone();

    long revokedAt = System.nanoTime();
    a.revokeJetson(jetson.jetsonId());
    HttpResponse<String> answer = poll.get(5, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - revokedAt) / 1e9;
    System.out.printf(
        "revocation long-poll on replica B woke %.3f s after the revoke on A%n", seconds);
    assertThat(seconds).isLessThan(2.0);
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(10);

    Revocations feed = JSON.readValue(answer.body(), Revocations.class);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(feed.cursor()).isGreaterThan(cursor);
    assertThat(feed.events())
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(RevocationEvent.DEVICE_TOKEN);
              assertThat(e.tokenHash()).isEqualTo(Tokens.hash(jetson.deviceToken()));
              assertThat(e.jetsonId()).isEqualTo(jetson.jetsonId());
            })
        .anySatisfy(
            e -> {
              assertThat(e.kind()).isEqualTo(RevocationEvent.JETSON);
              assertThat(e.jetsonId()).isEqualTo(jetson.jetsonId());
              assertThat(e.accountId()).isEqualTo(jetson.accountId());
              assertThat(e.username()).isEqualTo(jetson.username());
            });
  }

  @Test
  void feedWithoutAfterGivesTheCursorAndWaitTimesOutEmpty() {
    Revocations now = feed(a, null, 0);
    assertThat(now.events()).isEmpty();
    long started = System.nanoTime();
    Revocations later = feed(b, now.cursor() + 1_000_000, 1);
    // a cursor beyond the newest event (a reset feed) answers at once with the current cursor
    assertThat(later.cursor()).isLessThanOrEqualTo(now.cursor() + 1_000_000);
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(1.0);

    long latest = feed(b, null, 0).cursor();
    started = System.nanoTime();
    Revocations idle = feed(b, latest, 1);
    double waited = (System.nanoTime() - started) / 1e9;
    assertThat(idle.events()).isEmpty();
    assertThat(idle.cursor()).isEqualTo(latest);
    assertThat(waited).isBetween(0.9, 3.0);
  }

  @Test
  void everyKindOfRevocationIsInTheFeed() {
    long cursor = feed(a, null, 0).cursor();
    RunningRegistry.EnrolledJetson jetson = enrolled("kinds");
    String oldToken = jetson.deviceToken();
    a.rotateDeviceToken(jetson.jetsonId());
    RunningRegistry.Device device =
        a.addDevice(jetson.jetsonId(), 1, "phone", X25519.generate().publicKey().base64());
    expect(
        200,
        a.call(
            "POST",
            "/api/jetsons/" + jetson.jetsonId() + "/devices/" + device.id() + "/revoke",
            a.adminKey(),
            null));
    RunningRegistry.SshKey key =
        a.addSshKey(
            jetson.username(),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x");
    a.revokeSshKey(jetson.username(), key.id());
    JsonNode apiKey =
        expect(
                201,
                a.call(
                    "POST",
                    "/api/api-keys",
                    a.adminKey(),
                    Map.of("scope", "ACCOUNT", "username", jetson.username(), "name", "k")))
            .json();
    expect(
        204,
        200,
        a.call("DELETE", "/api/api-keys/" + apiKey.get("id").asString(), a.adminKey(), null));

    List<RevocationEvent> events = feed(b, cursor, 0).events();
    assertThat(events)
        .extracting(RevocationEvent::kind)
        .containsExactly(
            RevocationEvent.DEVICE_TOKEN,
            RevocationEvent.DEVICE,
            RevocationEvent.SSH_KEY,
            RevocationEvent.API_KEY);
    assertThat(events.get(0).tokenHash()).isEqualTo(Tokens.hash(oldToken));
    assertThat(events.get(1).jetsonId()).isEqualTo(jetson.jetsonId());
    assertThat(events.get(2).username()).isEqualTo(jetson.username());
    assertThat(events.get(3).tokenHash())
        .isEqualTo(Tokens.hash(apiKey.get("key").asString()))
        .hasSize(64);
  }

  @Test
  void peerChangeOnOneReplicaReachesPeerLongPollOnTheOtherWithinTwoSeconds() throws Exception {
    RunningRegistry.EnrolledJetson jetson = enrolled("peer");
    RunningRegistry.Response current =
        b.call("GET", "/api/jetsons/self/peers", jetson.deviceToken(), null);
    String etag = current.header("ETag");
    assertThat(etag).isNotBlank();

    CompletableFuture<HttpResponse<String>> poll =
        sendDevice(b, "/api/jetsons/self/peers?wait=30", jetson.deviceToken(), etag);
    Thread.sleep(500);
    assertThat(poll).isNotDone();

    long addedAt = System.nanoTime();
    String key = X25519.generate().publicKey().base64();
    a.addDevice(jetson.jetsonId(), 1, "laptop", key);
    HttpResponse<String> answer = poll.get(5, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - addedAt) / 1e9;
    System.out.printf(
        "peer long-poll on replica B answered %.3f s after the device add on A%n", seconds);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(seconds).isLessThan(2.0);
    assertThat(answer.headers().firstValue("ETag")).get().isNotEqualTo(etag);
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.get("peers").get(0).get("publicKey").asString()).isEqualTo(key);
  }

  @Test
  void unchangedPeerLongPollAnswers304AfterWaitAndWithoutWaitAtOnce() throws Exception {
    RunningRegistry.EnrolledJetson jetson = enrolled("idle");
    String etag =
        b.call("GET", "/api/jetsons/self/peers", jetson.deviceToken(), null).header("ETag");

    long started = System.nanoTime();
    HttpResponse<String> waited =
        sendDevice(b, "/api/jetsons/self/peers?wait=1", jetson.deviceToken(), etag)
            .get(10, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - started) / 1e9;
    assertThat(waited.statusCode()).isEqualTo(304);
    assertThat(waited.headers().firstValue("ETag")).contains(etag);
    assertThat(seconds).isBetween(0.9, 3.0);

    started = System.nanoTime();
    HttpResponse<String> plain =
        sendDevice(b, "/api/jetsons/self/peers", jetson.deviceToken(), etag)
            .get(10, TimeUnit.SECONDS);
    assertThat(plain.statusCode()).isEqualTo(304);
    assertThat((System.nanoTime() - started) / 1e9).isLessThan(0.9);
  }

  @Test
  void anUnchangedLongPollIsAnsweredWhenItsWaitRunsOutNotUpToASecondLater() throws Exception {
    RunningRegistry.EnrolledJetson jetson = enrolled("ontime");
    String etag =
        b.call("GET", "/api/jetsons/self/peers", jetson.deviceToken(), null).header("ETag");
    // The container's own async timeout fires on a sweep about once a second, so without the
    // long-poll timer the overshoot is spread over 0..1 s; with it, it is a round trip.
    List<Double> overshoots = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      long started = System.nanoTime();
      HttpResponse<String> waited =
          sendDevice(b, "/api/jetsons/self/peers?wait=1", jetson.deviceToken(), etag)
              .get(10, TimeUnit.SECONDS);
      assertThat(waited.statusCode()).isEqualTo(304);
      double seconds = (System.nanoTime() - started) / 1e9;
      assertThat(seconds).isGreaterThanOrEqualTo(1.0);
      overshoots.add(seconds - 1.0);
    }
    assertThat(overshoots.stream().filter(o -> o < 0.2).count())
        .as("overshoots past the wait (s): %s", overshoots)
        .isGreaterThanOrEqualTo(5);
    awaitWaiters(b, 0);
  }

  @Test
  void longPollsHoldNoServletThreadAndAreBounded() throws Exception {
    RunningRegistry.EnrolledJetson jetson = enrolled("bound");
    String etag =
        b.call("GET", "/api/jetsons/self/peers", jetson.deviceToken(), null).header("ETag");
    List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
    for (int i = 0; i < B_MAX_WAITERS; i++) {
      held.add(sendDevice(b, "/api/jetsons/self/peers?wait=20", jetson.deviceToken(), etag));
    }
    awaitWaiters(b, B_MAX_WAITERS);
    // B has 4 servlet threads and 20 held long-polls: ordinary requests still answer.
    RunningRegistry.Response ordinary =
        b.call("GET", "/api/jetsons/self", jetson.deviceToken(), null);
    assertThat(ordinary.status()).isEqualTo(200);
    // one more waiter than the bound: refused with a problem and Retry-After
    RunningRegistry.Response refused =
        b.call(
            "GET",
            "/api/jetsons/self/peers?wait=20",
            jetson.deviceToken(),
            null,
            Map.of("If-None-Match", etag));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.header("Content-Type")).contains("application/problem+json");
    assertThat(refused.header("Retry-After")).isEqualTo("5");

    a.addDevice(jetson.jetsonId(), 1, "tablet", X25519.generate().publicKey().base64());
    for (CompletableFuture<HttpResponse<String>> f : held) {
      assertThat(f.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    awaitWaiters(b, 0);
  }

  @Test
  void hostileLongPollParametersAreProblems() {
    RunningRegistry.EnrolledJetson jetson = enrolled("bad");
    String svc = b.serviceToken("dns-api");
    for (String query : List.of("wait=31", "wait=-1", "after=-5&wait=1", "after=x", "wait=1e9")) {
      RunningRegistry.Response r = b.call("GET", "/internal/v1/revocations?" + query, svc, null);
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.header("Content-Type")).contains("application/problem+json");
    }
    for (String query : List.of("wait=0", "wait=56", "wait=abc")) {
      RunningRegistry.Response r =
          b.call("GET", "/api/jetsons/self/peers?" + query, jetson.deviceToken(), null);
      assertThat(r.status()).as(query).isEqualTo(400);
    }
    // the feed is for services only
    assertThat(b.call("GET", "/internal/v1/revocations", jetson.deviceToken(), null).status())
        .isEqualTo(403);
    assertThat(b.call("GET", "/internal/v1/revocations", a.adminKey(), null).status())
        .isEqualTo(403);
    assertThat(b.call("GET", "/internal/v1/revocations", null, null).status()).isEqualTo(401);
  }

  @Test
  void revocationFeedEvictsCachedCredentialsOnAnotherReplicaWithinTwoSeconds() throws Exception {
    RunningRegistry.EnrolledJetson jetson = enrolled("feed");
    RegistryClient client =
        new RegistryClient(
            URI.create(b.baseUrl()), b.serviceToken("relay-coordinator"), Duration.ofSeconds(5));
    CachingRegistryAuthenticator authenticator =
        new CachingRegistryAuthenticator(client, Duration.ofSeconds(10), Clock.systemUTC());
    List<RevocationEvent> heard = new CopyOnWriteArrayList<>();
    try (RevocationFeed feed =
        new RevocationFeed(
            client,
            authenticator,
            new RevocationFeed.Settings(
                Duration.ofSeconds(20),
                Duration.ofMinutes(10),
                Duration.ofSeconds(2),
                Duration.ofMillis(200)))) {
      feed.addListener(heard::add);
      feed.start();
      awaitTrue(feed::healthy, Duration.ofSeconds(10));
      assertThat(authenticator.ttl()).isEqualTo(Duration.ofMinutes(10));
      assertThat(authenticator.device(jetson.deviceToken())).isPresent();
      Thread.sleep(300);

      long rotatedAt = System.nanoTime();
      String fresh = a.rotateDeviceToken(jetson.jetsonId());
      awaitTrue(() -> authenticator.device(jetson.deviceToken()).isEmpty(), Duration.ofSeconds(3));
      double seconds = (System.nanoTime() - rotatedAt) / 1e9;
      System.out.printf(
          "rotated token refused by a caching service %.3f s after rotation%n", seconds);
      assertThat(seconds).isLessThan(2.0);
      assertThat(authenticator.device(fresh)).isPresent();
      assertThat(heard)
          .anySatisfy(e -> assertThat(e.tokenHash()).isEqualTo(Tokens.hash(jetson.deviceToken())));

      rotatedAt = System.nanoTime();
      a.revokeJetson(jetson.jetsonId());
      awaitTrue(() -> authenticator.device(fresh).isEmpty(), Duration.ofSeconds(3));
      assertThat((System.nanoTime() - rotatedAt) / 1e9).isLessThan(2.0);
      awaitTrue(
          () -> heard.stream().anyMatch(e -> RevocationEvent.JETSON.equals(e.kind())),
          Duration.ofSeconds(2));
    }
  }

  @Test
  void revocationFeedFallsBackToTheShortTtlWhenTheRegistryIsUnreachable() throws Exception {
    RegistryClient unreachable =
        new RegistryClient(
            URI.create("http://127.0.0.1:9"), "spoq_svc_nothing", Duration.ofMillis(300));
    CachingRegistryAuthenticator authenticator =
        new CachingRegistryAuthenticator(unreachable, Duration.ofMinutes(10), Clock.systemUTC());
    try (RevocationFeed feed =
        new RevocationFeed(
            unreachable,
            authenticator,
            new RevocationFeed.Settings(
                Duration.ofSeconds(20),
                Duration.ofMinutes(10),
                Duration.ofSeconds(2),
                Duration.ofMillis(100)))) {
      feed.start();
      Thread.sleep(500);
      assertThat(feed.healthy()).isFalse();
      assertThat(authenticator.ttl()).isEqualTo(Duration.ofSeconds(2));
    }
  }

  @Test
  void thePruneJobRunsOnceAcrossReplicasPerPeriod() {
    JdbcClient jdbc = a.context().getBean(JdbcClient.class);
    String insertOld =
        "INSERT INTO revocation_event (kind, at) VALUES ('SSH_KEY', now() - interval '30 days') RETURNING id";
    long first = jdbc.sql(insertOld).query(Long.class).single();
    a.context().getBean(RevocationLog.class).prune();
    assertThat(exists(jdbc, first)).as("A pruned").isFalse();
    // B runs in the same period: ShedLock skips it, so an old row written now survives
    long second = jdbc.sql(insertOld).query(Long.class).single();
    b.context().getBean(RevocationLog.class).prune();
    assertThat(exists(jdbc, second)).as("B skipped").isTrue();
    assertThat(
            jdbc.sql("SELECT count(*) FROM shedlock WHERE name = 'revocation-feed-prune'")
                .query(Long.class)
                .single())
        .isEqualTo(1);
    jdbc.sql("DELETE FROM revocation_event WHERE id = ?").param(second).update();
  }

  private static boolean exists(JdbcClient jdbc, long id) {
    return jdbc.sql("SELECT count(*) FROM revocation_event WHERE id = ?")
            .param(id)
            .query(Long.class)
            .single()
        > 0;
  }

  // ---- helpers ----

  private RunningRegistry.EnrolledJetson enrolled(String prefix) {
    String name =
        prefix + "-" + ProcessHandle.current().pid() % 1000 + "-" + NAMES.incrementAndGet();
    RunningRegistry.Account account = a.createAccount(name, name, Product.JETSON);
    return a.enrollJetson(account, X25519.generate().publicKey().base64(), "jetson");
  }

  private Revocations feed(RunningRegistry registry, Long after, int wait) {
    String query = (after == null ? "" : "after=" + after + "&") + "wait=" + wait;
    RunningRegistry.Response r =
        registry.call(
            "GET", "/internal/v1/revocations?" + query, registry.serviceToken("dns-api"), null);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return JSON.readValue(r.body(), Revocations.class);
  }

  private CompletableFuture<HttpResponse<String>> send(
      RunningRegistry registry, String path, String service, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(registry.baseUrl() + path))
            .timeout(Duration.ofSeconds(60))
            .header(BearerToken.HEADER, BearerToken.headerValue(registry.serviceToken(service)));
    headers.forEach(request::header);
    return http.sendAsync(request.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> sendDevice(
      RunningRegistry registry, String path, String deviceToken, String ifNoneMatch) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(registry.baseUrl() + path))
            .timeout(Duration.ofSeconds(60))
            .header(BearerToken.HEADER, BearerToken.headerValue(deviceToken))
            .header("If-None-Match", ifNoneMatch)
            .GET()
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitWaiters(RunningRegistry registry, int expected)
      throws InterruptedException {
    LongPollSlots slots = registry.context().getBean(LongPollSlots.class);
    awaitTrue(() -> slots.held() == expected, Duration.ofSeconds(10));
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration within)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + within);
      }
      Thread.sleep(20);
    }
  }

  private static RunningRegistry.Response expect(int status, RunningRegistry.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    return r;
  }

  private static RunningRegistry.Response expect(int one, int other, RunningRegistry.Response r) {
    assertThat(r.status()).as(r.body()).isIn(one, other);
    return r;
  }

  @SuppressWarnings("unused")
  private static UUID id(JsonNode node) {
    return UUID.fromString(node.get("id").asString());
  }
}
