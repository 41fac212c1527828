package dev.spoq.relay.bench;

import dev.spoq.relay.RelayCoordinatorApplication;
import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Shared bits of the load drivers: start the real service, register relays, print latencies. */
final class BenchSupport {

  static final String PLUGIN_SECRET = "bench_plugin_secret_0123456789";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private BenchSupport() {}

  /** The relay coordinator, in-process, on a fresh real PostgreSQL database. */
  static ConfigurableApplicationContext startCoordinator(
      String registryUrl, String serviceToken, TestPostgres.Database db) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("server.port", "0");
    props.put("server.address", "127.0.0.1");
    props.put("spring.datasource.url", db.jdbcUrl());
    props.put("spring.datasource.username", db.username());
    props.put("spring.datasource.password", db.password());
    props.put("spring.datasource.hikari.maximum-pool-size", "20");
    props.put("spoq.registry.base-url", registryUrl);
    props.put("spoq.registry.service-token", serviceToken);
    props.put("spoq.relay.plugin-secret", PLUGIN_SECRET);
    props.put("spoq.relay.frps-auth-token", "bench-frps-token-0123456789");
    props.put("spoq.relay.credential-key", "bench-credential-key-0123456789abcdef0123");
    props.put("spoq.relay.health.enabled", "false");
    props.put("spoq.relay.admin-url.allowed-ranges", "127.0.0.0/8");
    props.put("spoq.relay.usage.enabled", "false");
    props.put("logging.level.root", "WARN");
    props.put("logging.level.audit", "WARN");
    props.put("logging.structured.format.console", "");
    String[] args =
        props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    return new SpringApplicationBuilder(RelayCoordinatorApplication.class)
        .properties("spring.config.name=relay-coordinator")
        .run(args);
  }

  static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  /** Registers a relay whose frps admin API is a stand-in (frps is not installable here). */
  static FrpsAdminStub registerRelay(
      int port, String adminKey, String id, String region, int first, int last, int capacity)
      throws IOException, InterruptedException {
    FrpsAdminStub stub = new FrpsAdminStub("admin", "pw", 7000);
    String body =
        String.format(
            "{\"id\":\"%s\",\"region\":\"%s\",\"publicHost\":\"%s.relay.bench\",\"bindPort\":7000,"
                + "\"udpPortRange\":{\"start\":%d,\"end\":%d},\"capacity\":%d,\"adminUrl\":\"%s\","
                + "\"adminUser\":\"admin\",\"adminPassword\":\"pw\"}",
            id, region, id, first, last, capacity, stub.url());
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/relays"))
                .header("Authorization", "Bearer " + adminKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 201) {
      throw new IllegalStateException("register relay " + id + ": " + r.statusCode() + " " + r.body());
    }
    return stub;
  }

  /** Prints count, rate, p50/p90/p99/max of latencies in nanoseconds. */
  static void report(String label, List<long[]> perThread, Duration wall) {
    long[] all = perThread.stream().flatMapToLong(Arrays::stream).toArray();
    Arrays.sort(all);
    double seconds = wall.toNanos() / 1e9;
    System.out.printf(
        "%-38s %8d requests in %6.2f s = %9.1f /s   p50 %7.2f ms   p90 %7.2f ms   p99 %7.2f ms   max %7.2f ms%n",
        label,
        all.length,
        seconds,
        all.length / seconds,
        pct(all, 0.50),
        pct(all, 0.90),
        pct(all, 0.99),
        all.length == 0 ? 0 : all[all.length - 1] / 1e6);
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  static int intArg(String[] args, String name, int def) {
    for (String a : args) {
      if (a.startsWith("--" + name + "=")) {
        return Integer.parseInt(a.substring(name.length() + 3));
      }
    }
    return def;
  }
}
