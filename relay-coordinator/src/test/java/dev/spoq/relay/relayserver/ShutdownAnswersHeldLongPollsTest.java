package dev.spoq.relay.relayserver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.relay.support.SharedRegistry;
import dev.spoq.relay.testing.RunningCoordinator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a coordinator shutting down answers the relay-servers' held Jetson-set long-polls with
 * 304 at once, instead of letting the web server's graceful shutdown wait for them, so they re-poll
 * on the other replica without an error and the replica stops in seconds.
 */
class ShutdownAnswersHeldLongPollsTest {

  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void heldJetsonSetLongPollIsAnsweredAtOnceAndTheShutdownIsQuick() throws Exception {
    RunningCoordinator coordinator = RunningCoordinator.start(SharedRegistry.get());
    Thread closer = new Thread(coordinator::close, "coordinator-close");
    try {
      RunningCoordinator.SpoqRelay relay =
          coordinator.registerSpoqRelay("sd-1", "eu", "sd-1.relay.spoq.test", 51820, 51821, 10);
      String path = "/internal/v1/relay-servers/sd-1/jetsons";
      RunningCoordinator.Response current = coordinator.call("GET", path, relay.token(), null);
      assertThat(current.status()).isEqualTo(200);
      String etag = current.header("ETag");
      assertThat(etag).isNotBlank();

      CompletableFuture<HttpResponse<String>> held =
          http.sendAsync(
              HttpRequest.newBuilder(URI.create(coordinator.baseUrl() + path + "?wait=30"))
                  .header("Authorization", "Bearer " + relay.token())
                  .header("If-None-Match", etag)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JetsonSetWatcher watcher = coordinator.context().getBean(JetsonSetWatcher.class);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (watcher.held() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(watcher.held()).isEqualTo(1);

      long closing = System.nanoTime();
      closer.start();
      HttpResponse<String> answer = held.get(5, TimeUnit.SECONDS);
      double answeredSeconds = (System.nanoTime() - closing) / 1e9;
      closer.join(30_000);
      double shutdownSeconds = (System.nanoTime() - closing) / 1e9;
      System.out.printf(
          "context close: Jetson-set long-poll answered after %.3f s, shutdown took %.3f s%n",
          answeredSeconds, shutdownSeconds);
      assertThat(answer.statusCode()).isEqualTo(304);
      assertThat(answer.headers().firstValue("ETag")).contains(etag);
      assertThat(answeredSeconds).isLessThan(1.5);
      assertThat(closer.isAlive()).isFalse();
      assertThat(shutdownSeconds).isLessThan(5.0);
    } finally {
      if (closer.getState() == Thread.State.NEW) {
        coordinator.close();
      }
    }
  }
}
