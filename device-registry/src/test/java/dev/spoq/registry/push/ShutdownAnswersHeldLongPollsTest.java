package dev.spoq.registry.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Issue 11: a replica shutting down answers its held long-polls at once (the agent's peer long-poll
 * with 304, a service's revocation feed with an empty page) instead of letting the web server's
 * graceful shutdown wait for them, so clients re-poll on the other replica without an error and the
 * replica stops in seconds.
 */
class ShutdownAnswersHeldLongPollsTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void heldLongPollsAreAnsweredAtOnceAndTheShutdownIsQuick() throws Exception {
    RunningRegistry registry = RunningRegistry.start();
    Thread closer = new Thread(registry::close, "registry-close");
    try {
      RunningRegistry.Account account = registry.createAccount("down", "down", Product.JETSON);
      RunningRegistry.EnrolledJetson jetson =
          registry.enrollJetson(account, X25519.generate().publicKey().base64(), "down");
      String etag =
          registry
              .call("GET", "/api/jetsons/self/peers", jetson.deviceToken(), null)
              .header("ETag");
      String service = registry.serviceToken("dns-api");
      long cursor =
          registry
              .call("GET", "/internal/v1/revocations", service, null)
              .json()
              .get("cursor")
              .asLong();

      CompletableFuture<HttpResponse<String>> peers =
          get(registry, "/api/jetsons/self/peers?wait=55", jetson.deviceToken(), etag);
      CompletableFuture<HttpResponse<String>> feed =
          get(registry, "/internal/v1/revocations?after=" + cursor + "&wait=30", service, null);
      LongPollSlots slots = registry.context().getBean(LongPollSlots.class);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (slots.held() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(slots.held()).isEqualTo(2);

      long closing = System.nanoTime();
      closer.start();
      HttpResponse<String> peersAnswer = peers.get(5, TimeUnit.SECONDS);
      double peersSeconds = (System.nanoTime() - closing) / 1e9;
      HttpResponse<String> feedAnswer = feed.get(5, TimeUnit.SECONDS);
      double feedSeconds = (System.nanoTime() - closing) / 1e9;
      closer.join(30_000);
      double shutdownSeconds = (System.nanoTime() - closing) / 1e9;
      System.out.printf(
          "context close: peer long-poll answered after %.3f s, revocation feed after %.3f s,"
              + " shutdown took %.3f s%n",
          peersSeconds, feedSeconds, shutdownSeconds);

      assertThat(peersAnswer.statusCode()).isEqualTo(304);
      assertThat(peersAnswer.headers().firstValue("ETag")).contains(etag);
      assertThat(feedAnswer.statusCode()).isEqualTo(200);
      JsonNode page = JSON.readTree(feedAnswer.body());
      assertThat(page.get("cursor").asLong()).isEqualTo(cursor);
      assertThat(page.get("events")).isEmpty();
      assertThat(peersSeconds).isLessThan(1.5);
      assertThat(feedSeconds).isLessThan(1.5);
      assertThat(closer.isAlive()).isFalse();
      assertThat(shutdownSeconds).isLessThan(5.0);
    } finally {
      if (closer.getState() == Thread.State.NEW) {
        registry.close();
      }
    }
  }

  private CompletableFuture<HttpResponse<String>> get(
      RunningRegistry registry, String path, String bearer, String ifNoneMatch) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(registry.baseUrl() + path))
            .header("Authorization", "Bearer " + bearer)
            .GET();
    if (ifNoneMatch != null) {
      request.header("If-None-Match", ifNoneMatch);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
