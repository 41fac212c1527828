package dev.spoq.registry.bench;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.wireguard.X25519;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Product;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Load driver for the registry on embedded PostgreSQL (started in-process by {@link
 * RunningRegistry}). Prints requests/s and latency percentiles; not a test. Run with {@code ./mvnw
 * -B -q -pl device-registry -Pbench test-compile exec:java}. Options (system properties): {@code
 * bench.threads} (16), {@code bench.requests} (20000), {@code bench.creations} (1920).
 */
public final class RegistryBenchmark {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final RunningRegistry registry;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final int threads = Integer.getInteger("bench.threads", 16);

  private RegistryBenchmark(RunningRegistry registry) {
    this.registry = registry;
  }

  public static void main(String[] args) throws Exception {
    int requests = Integer.getInteger("bench.requests", 20_000);
    int creations = Integer.getInteger("bench.creations", 1_920);
    try (RunningRegistry registry =
        RunningRegistry.builder()
            .property("spring.datasource.hikari.maximum-pool-size", "20")
            .property("logging.level.root", "WARN")
            .property("logging.level.audit", "WARN")
            .properties(registryProperties())
            .start()) {
      new RegistryBenchmark(registry).run(requests, creations);
    }
  }

  /** {@code -Dbench.registry.<property>=<value>} passes a property to the registry. */
  private static Map<String, String> registryProperties() {
    Map<String, String> props = new java.util.TreeMap<>();
    System.getProperties()
        .forEach(
            (k, v) -> {
              if (k.toString().startsWith("bench.registry.")) {
                props.put(k.toString().substring("bench.registry.".length()), v.toString());
              }
            });
    if (!props.isEmpty()) {
      System.out.println("registry properties: " + props);
    }
    return props;
  }

  private void run(int requests, int creations) throws Exception {
    System.out.printf(
        "device-registry benchmark: %d client threads, %d cores, embedded PostgreSQL%n",
        threads, Runtime.getRuntime().availableProcessors());
    String svc = registry.serviceToken("test");
    RunningRegistry.Account account = registry.createAccount("bench", "bench", Product.JETSON);
    RunningRegistry.EnrolledJetson jetson =
        registry.enrollJetson(account, X25519.generate().publicKey().base64(), "bench");
    registry.addDevice(jetson.jetsonId(), 1, "seed-device", key());

    byte[] introspectBody = JSON.writeValueAsBytes(Map.of("token", jetson.deviceToken()));
    HttpRequest introspect =
        HttpRequest.newBuilder(
                URI.create(registry.baseUrl() + "/internal/v1/device-tokens/introspect"))
            .header(BearerToken.HEADER, BearerToken.headerValue(svc))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(introspectBody))
            .build();
    measure(
        "token introspection (POST /internal/v1/device-tokens/introspect)",
        requests,
        200,
        i -> introspect);

    HttpResponse<String> first =
        http.send(
            HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/api/jetsons/self/peers"))
                .header(BearerToken.HEADER, BearerToken.headerValue(jetson.deviceToken()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String etag = first.headers().firstValue("ETag").orElseThrow();
    HttpRequest poll =
        HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/api/jetsons/self/peers"))
            .header(BearerToken.HEADER, BearerToken.headerValue(jetson.deviceToken()))
            .header("If-None-Match", etag)
            .build();
    measure(
        "peer-set poll, no change (GET /api/jetsons/self/peers -> 304)", requests, 304, i -> poll);

    // Device creation throughput: Jetsons with 24 profiles each (240 addresses per Jetson).
    int jetsonsNeeded = (creations + 239) / 240;
    List<RunningRegistry.EnrolledJetson> targets = new ArrayList<>();
    for (int j = 0; j < jetsonsNeeded; j++) {
      RunningRegistry.Account a =
          registry.createAccount("bench-dev-" + j, "bench-dev-" + j, Product.JETSON);
      RunningRegistry.EnrolledJetson target = registry.enrollJetson(a, key(), "bench");
      for (int p = 2; p <= 24; p++) {
        registry.ensureProfile(target.jetsonId(), p);
      }
      targets.add(target);
    }
    String[] keys = new String[creations];
    for (int i = 0; i < creations; i++) {
      keys[i] = key();
    }
    measure(
        "device creation (POST /api/jetsons/{id}/devices)",
        creations,
        201,
        i -> {
          RunningRegistry.EnrolledJetson target = targets.get(i % targets.size());
          int slot = i / targets.size();
          return createDevice(target, slot % 24 + 1, "d" + i, keys[i]);
        });

    capacityRun();
  }

  /** 500 concurrent creations across the 24 profiles of one Jetson: capacity is 240. */
  private void capacityRun() throws Exception {
    int total = 500;
    RunningRegistry.Account a = registry.createAccount("bench-cap", "bench-cap", Product.JETSON);
    RunningRegistry.EnrolledJetson target = registry.enrollJetson(a, key(), "bench");
    for (int p = 2; p <= 24; p++) {
      registry.ensureProfile(target.jetsonId(), p);
    }
    List<HttpRequest> requests = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      requests.add(createDevice(target, i % 24 + 1, "cap-" + i, key()));
    }
    ExecutorService pool = Executors.newFixedThreadPool(total);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> futures = new ArrayList<>();
    for (HttpRequest request : requests) {
      futures.add(
          pool.submit(
              () -> {
                go.await();
                return http.send(request, HttpResponse.BodyHandlers.ofString());
              }));
    }
    long start = System.nanoTime();
    go.countDown();
    int created = 0;
    int full = 0;
    int other = 0;
    List<String> addresses = new ArrayList<>();
    for (Future<HttpResponse<String>> f : futures) {
      HttpResponse<String> r = f.get();
      if (r.statusCode() == 201) {
        created++;
        addresses.add(JSON.readTree(r.body()).get("device").get("address").asString());
      } else if (r.statusCode() == 409 && r.body().contains("profile-full")) {
        full++;
      } else {
        other++;
        System.out.println("  unexpected answer " + r.statusCode() + ": " + r.body());
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdownNow();
    Set<String> unique = new HashSet<>(addresses);
    JsonNode listed =
        JSON.readTree(
            registry
                .call(
                    "GET",
                    "/api/jetsons/" + target.jetsonId() + "/devices",
                    registry.adminKey(),
                    null)
                .body());
    Set<String> stored = new HashSet<>();
    listed.forEach(d -> stored.add(d.get("address").asString()));
    System.out.printf(
        "%n500 concurrent device creations on one Jetson (24 profiles x 10 = 240 addresses), %.2f s:%n"
            + "  created %d, 409 profile-full %d, other %d%n"
            + "  duplicate addresses in answers: %d; devices stored: %d with %d distinct addresses%n"
            + "  RESULT: %s%n",
        seconds,
        created,
        full,
        other,
        addresses.size() - unique.size(),
        listed.size(),
        stored.size(),
        created == 240 && full == 260 && other == 0 && unique.size() == 240 && stored.size() == 240
            ? "OK (240 created, 260 refused, no duplicates)"
            : "MISMATCH");
  }

  private HttpRequest createDevice(
      RunningRegistry.EnrolledJetson target, int profile, String name, String key) {
    return HttpRequest.newBuilder(
            URI.create(registry.baseUrl() + "/api/jetsons/" + target.jetsonId() + "/devices"))
        .header(BearerToken.HEADER, BearerToken.headerValue(registry.adminKey()))
        .header("Content-Type", "application/json")
        .POST(
            HttpRequest.BodyPublishers.ofByteArray(
                JSON.writeValueAsBytes(Map.of("name", name, "profile", profile, "publicKey", key))))
        .build();
  }

  /** Runs {@code count} requests on {@link #threads} threads after a short warm-up. */
  private void measure(
      String label, int count, int expectedStatus, IntFunction<HttpRequest> request)
      throws Exception {
    boolean repeatable = expectedStatus != 201;
    if (repeatable) {
      int warmup = Math.min(2000, count / 5);
      runAll(warmup, expectedStatus, request);
    }
    long[] latencies = new long[count];
    long start = System.nanoTime();
    int failures = runAll(count, expectedStatus, i -> request.apply(i), latencies);
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(latencies);
    System.out.printf(
        "%-70s %7d req in %6.2f s = %8.0f req/s   p50 %6.2f ms   p99 %6.2f ms   unexpected %d%n",
        label,
        count,
        seconds,
        count / seconds,
        latencies[count / 2] / 1e6,
        latencies[(int) Math.min(count - 1, Math.ceil(count * 0.99) - 1)] / 1e6,
        failures);
  }

  private int runAll(int count, int expectedStatus, IntFunction<HttpRequest> request)
      throws Exception {
    return runAll(count, expectedStatus, request, new long[count]);
  }

  private int runAll(
      int count, int expectedStatus, IntFunction<HttpRequest> request, long[] latencies)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failures = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(
          pool.submit(
              () -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                  HttpRequest r = request.apply(i);
                  long s = System.nanoTime();
                  HttpResponse<byte[]> response =
                      http.send(r, HttpResponse.BodyHandlers.ofByteArray());
                  latencies[i] = System.nanoTime() - s;
                  if (response.statusCode() != expectedStatus) {
                    if (failures.incrementAndGet() <= 3) {
                      System.out.println(
                          "  unexpected "
                              + response.statusCode()
                              + ": "
                              + new String(response.body()));
                    }
                  }
                }
                return null;
              }));
    }
    for (Future<?> w : workers) {
      w.get();
    }
    pool.shutdown();
    return failures.get();
  }

  private static String key() {
    return X25519.generate().publicKey().base64();
  }
}
