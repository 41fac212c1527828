package dev.spoq.relayserver.jetsons;

import dev.spoq.relayserver.config.RelayProperties;
import dev.spoq.relayserver.datapath.Relay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Contract C2, relay side: long-polls the coordinator for this relay's Jetson set (ETag, {@code
 * wait}) and reports sessions and usage. While the coordinator is unreachable the relay keeps the
 * last set it got and its live sessions keep working.
 */
public final class CoordinatorClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CoordinatorClient.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final RelayProperties.Coordinator settings;
  private final Relay relay;
  private final HttpClient http;
  private final Instant startedAt = Instant.now();
  private final URI jetsonsUri;
  private final URI reportUri;
  private final Counter pollFailures;
  private final Counter reportFailures;
  private final AtomicLong lastSuccessEpochSeconds = new AtomicLong();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running = true;
  private volatile String etag;

  public CoordinatorClient(
      RelayProperties.Coordinator settings, Relay relay, MeterRegistry meters) {
    this.settings = settings;
    this.relay = relay;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String base = settings.url().replaceAll("/+$", "") + "/internal/v1/relay-servers/";
    String id =
        java.net.URLEncoder.encode(settings.relayId(), java.nio.charset.StandardCharsets.UTF_8);
    this.jetsonsUri = URI.create(base + id + "/jetsons");
    this.reportUri = URI.create(base + id + "/report");
    this.pollFailures =
        Counter.builder("spoq.relay.coordinator.failures").tag("call", "jetsons").register(meters);
    this.reportFailures =
        Counter.builder("spoq.relay.coordinator.failures").tag("call", "report").register(meters);
    Gauge.builder(
            "spoq.relay.coordinator.last.success", lastSuccessEpochSeconds, AtomicLong::doubleValue)
        .description("Epoch seconds of the last answer from the coordinator")
        .register(meters);
  }

  public void start() {
    startThread("relay-coordinator-poll", this::pollLoop);
    startThread("relay-coordinator-report", this::reportLoop);
  }

  private void startThread(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    threads.add(thread);
    thread.start();
  }

  private void pollLoop() {
    Duration backoff = Duration.ofMillis(500);
    boolean failing = false;
    while (running) {
      try {
        pollOnce();
        backoff = Duration.ofMillis(500);
        if (failing) {
          log.info("coordinator reachable again");
          failing = false;
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        pollFailures.increment();
        if (!failing) {
          log.warn(
              "coordinator unreachable, serving the last Jetson set ({}): {}",
              relay.version(),
              e.toString());
          failing = true;
        }
        try {
          Thread.sleep(backoff.toMillis());
        } catch (InterruptedException ie) {
          return;
        }
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private void pollOnce() throws IOException, InterruptedException {
    String current = etag;
    long wait = current == null ? 0 : settings.longPollWait().toSeconds();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(jetsonsUri + "?wait=" + wait))
            .timeout(Duration.ofSeconds(wait + 10))
            .header("Authorization", "Bearer " + settings.token())
            .header("Accept", "application/json")
            .GET();
    if (current != null) {
      request.header("If-None-Match", current);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    lastSuccessEpochSeconds.set(Instant.now().getEpochSecond());
    switch (response.statusCode()) {
      case 200 -> {
        JetsonSet set = JetsonSet.parse(response.body());
        relay.apply(set);
        etag = response.headers().firstValue("ETag").orElse("\"" + set.version() + "\"");
      }
      case 304 -> {
        // unchanged
      }
      default ->
          throw new IOException(
              "GET " + jetsonsUri + " answered " + response.statusCode() + ": " + brief(response));
    }
  }

  private void reportLoop() {
    while (running) {
      try {
        Thread.sleep(settings.reportInterval().toMillis());
        report();
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        reportFailures.increment();
        log.debug("report to the coordinator failed: {}", e.toString());
      }
    }
  }

  /** Sends one report now. */
  public void report() throws IOException, InterruptedException {
    List<Map<String, Object>> sessions = new ArrayList<>();
    for (Relay.SessionReport s : relay.sessions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("jetsonId", s.jetsonId().toString());
      m.put("agentAddress", s.agentAddress());
      m.put("upSince", s.upSince() == null ? null : s.upSince().toString());
      m.put("clients", s.clients());
      m.put("bytesToJetson", s.bytesToJetson());
      m.put("bytesFromJetson", s.bytesFromJetson());
      sessions.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("startedAt", startedAt.toString());
    body.put("sessions", sessions);
    HttpRequest request =
        HttpRequest.newBuilder(reportUri)
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + settings.token())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("report answered " + response.statusCode() + ": " + brief(response));
    }
    lastSuccessEpochSeconds.set(Instant.now().getEpochSecond());
  }

  private static String brief(HttpResponse<String> response) {
    String body = response.body() == null ? "" : response.body();
    return body.length() > 200 ? body.substring(0, 200) + "..." : body;
  }

  @Override
  public void close() {
    running = false;
    threads.forEach(Thread::interrupt);
  }
}
