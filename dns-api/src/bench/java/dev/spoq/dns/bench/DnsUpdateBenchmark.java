package dev.spoq.dns.bench;

import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.testing.CloudflareStub;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.registry.testing.RunningRegistry.Account;
import dev.spoq.registry.testing.RunningRegistry.EnrolledJetson;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Load driver (not a test; run by hand, see dns-api/README.md). Starts the real registry and the
 * real dns-api on embedded PostgreSQL, with the Cloudflare stub as provider, then measures:
 *
 * <ol>
 *   <li>requests/s and latency percentiles of no-op updates (unchanged IP), over HTTP with
 *       {@code -Dbench.threads} concurrent clients;
 *   <li>the number of Cloudflare API calls caused by 1,000 updates of which 10 change the IP
 *       (counted at the stub; the goal is exactly 10).
 * </ol>
 */
public final class DnsUpdateBenchmark {

  private static final int JETSONS = Integer.getInteger("bench.jetsons", 20);
  private static final int THREADS = Integer.getInteger("bench.threads", 8);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 3_000);
  private static final int REQUESTS = Integer.getInteger("bench.requests", 20_000);

  /** With limits on (so each request takes its tokens) but too high to refuse anything. */
  private static final boolean RATE_LIMITS = Boolean.getBoolean("bench.rateLimits");

  private DnsUpdateBenchmark() {}

  public static void main(String[] args) throws Exception {
    String token = "cf-bench-token";
    try (RunningRegistry registry =
            RunningRegistry.builder().property("logging.level.root", "WARN").start();
        CloudflareStub cloudflare = new CloudflareStub("spoq.dev", token)) {
      TestPostgres.Database db = TestPostgres.newDatabase("dns_bench");
      ConfigurableApplicationContext dns =
          new SpringApplicationBuilder(DnsApiApplication.class)
              .properties("spring.config.name=dns-api")
              .run(
                  "--server.port=0",
                  "--server.address=127.0.0.1",
                  "--spring.datasource.url=" + db.jdbcUrl(),
                  "--spring.datasource.username=" + db.username(),
                  "--spring.datasource.password=" + db.password(),
                  "--spoq.registry.base-url=" + registry.baseUrl(),
                  "--spoq.registry.service-token=" + registry.serviceToken("dns-api"),
                  "--spoq.dns.provider=cloudflare",
                  "--spoq.dns.cloudflare.base-url=" + cloudflare.baseUrl(),
                  "--spoq.dns.cloudflare.api-token=" + token,
                  "--spoq.dns.rate-limit.enabled=" + RATE_LIMITS,
                  "--spoq.dns.rate-limit.device-requests=100000000",
                  "--spoq.dns.rate-limit.source-ip-requests=100000000",
                  "--logging.structured.format.console=",
                  "--logging.level.root=WARN");
      try {
        String base =
            "http://127.0.0.1:" + dns.getEnvironment().getProperty("local.server.port");
        run(base, registry, cloudflare);
      } finally {
        dns.close();
      }
    }
    System.exit(0);
  }

  private static void run(String base, RunningRegistry registry, CloudflareStub cloudflare)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<EnrolledJetson> jetsons = new ArrayList<>();
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < JETSONS; i++) {
      String name = "bench-" + i + "-" + Long.toHexString(random.nextLong() & 0xffff);
      Account account = registry.createAccount(name, name, RunningRegistry.Product.JETSON);
      jetsons.add(
          registry.enrollJetson(
              account,
              dev.spoq.common.wireguard.X25519.generate().publicKey().base64(),
              "jetson-" + i));
    }
    String[] ips = new String[JETSONS];
    for (int i = 0; i < JETSONS; i++) {
      ips[i] = "73.45." + (i / 200 + 1) + "." + (i % 200 + 1);
      expect(post(http, base, jetsons.get(i), ips[i]), 200, "updated");
    }

    // 1. No-op updates: the address each Jetson already has.
    measure(http, base, jetsons, ips, WARMUP);
    long[] latencies = new long[REQUESTS];
    long started = System.nanoTime();
    measureInto(http, base, jetsons, ips, latencies);
    double seconds = (System.nanoTime() - started) / 1e9;
    Arrays.sort(latencies);
    System.out.println();
    System.out.println("== dns-api benchmark (embedded PostgreSQL " + TestPostgres.kind() + ", "
        + Runtime.getRuntime().availableProcessors() + " CPUs, rate limits "
        + (RATE_LIMITS ? "on" : "off") + ") ==");
    System.out.printf(
        Locale.ROOT,
        "no-op updates: %d requests, %d client threads, %.1f s -> %.0f requests/s%n",
        REQUESTS,
        THREADS,
        seconds,
        REQUESTS / seconds);
    System.out.printf(
        Locale.ROOT,
        "latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n",
        pct(latencies, 0.50),
        pct(latencies, 0.90),
        pct(latencies, 0.99),
        pct(latencies, 0.999),
        latencies[latencies.length - 1] / 1e6);

    // 2. 1,000 updates, 10 of which change the address: count Cloudflare calls at the stub.
    cloudflare.clearCalls();
    int updated = 0;
    int unchanged = 0;
    for (int n = 0; n < 1_000; n++) {
      int j = n % JETSONS;
      if (n % 100 == 50) {
        ips[j] = "74.1." + (n / 100) + "." + (j + 1);
      }
      String status = post(http, base, jetsons.get(j), ips[j]).body();
      if (status.contains("\"status\":\"updated\"")) {
        updated++;
      } else if (status.contains("\"status\":\"unchanged\"")) {
        unchanged++;
      } else {
        throw new IllegalStateException("unexpected answer: " + status);
      }
    }
    List<CloudflareStub.Call> calls = cloudflare.calls();
    long writes = calls.stream().filter(CloudflareStub.Call::isWrite).count();
    System.out.printf(
        "1,000 updates (10 IP changes): answers updated=%d unchanged=%d; Cloudflare API calls"
            + " counted at the stub: %d (writes %d, reads %d) -- goal 10%n",
        updated, unchanged, calls.size(), writes, calls.size() - writes);
    System.out.println();
  }

  private static void measure(
      HttpClient http, String base, List<EnrolledJetson> jetsons, String[] ips, int count)
      throws Exception {
    measureInto(http, base, jetsons, ips, new long[count]);
  }

  private static void measureInto(
      HttpClient http, String base, List<EnrolledJetson> jetsons, String[] ips, long[] out)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        workers.add(
            pool.submit(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < out.length) {
                    int j = i % jetsons.size();
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = post(http, base, jetsons.get(j), ips[j]);
                    out[i] = System.nanoTime() - t0;
                    expect(r, 200, "unchanged");
                  }
                  return null;
                }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static HttpResponse<String> post(
      HttpClient http, String base, EnrolledJetson jetson, String ip) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/api/dns/update"))
            .header("Authorization", "Bearer " + jetson.deviceToken())
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"subdomain\":\"" + jetson.subdomain() + "\",\"ip\":\"" + ip + "\"}"))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void expect(HttpResponse<String> r, int status, String what) {
    if (r.statusCode() != status || !r.body().contains("\"status\":\"" + what + "\"")) {
      throw new IllegalStateException("expected " + what + ", got " + r.statusCode() + " " + r.body());
    }
  }

  private static double pct(long[] sorted, double p) {
    int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
    return sorted[Math.max(0, index)] / 1e6;
  }
}
