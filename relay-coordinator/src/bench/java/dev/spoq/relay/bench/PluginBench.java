package dev.spoq.relay.bench;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.relay.fleet.HealthPoller;
import dev.spoq.relay.support.FrpsAdminStub;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Load driver (run by hand, see the module README): frps plugin decisions per second and their
 * latency percentiles, for Login and NewProxy, against the running relay coordinator over HTTP
 * (real PostgreSQL, real registry; Jetsons enrolled through the registry's REST API). Every answer
 * is checked to be an allow; a single reject or non-200 aborts the run.
 *
 * <p>Options: {@code --jetsons=50 --threads=8 --seconds=15 --warmup-seconds=5}.
 */
public final class PluginBench {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public static void main(String[] args) {
    try {
      run(args);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    int jetsons = BenchSupport.intArg(args, "jetsons", 50);
    int threads = BenchSupport.intArg(args, "threads", 8);
    int seconds = BenchSupport.intArg(args, "seconds", 15);
    int warmup = BenchSupport.intArg(args, "warmup-seconds", 5);

    try (RunningRegistry registry = RunningRegistry.start()) {
      ConfigurableApplicationContext coordinator =
          BenchSupport.startCoordinator(
              registry.baseUrl(),
              registry.serviceToken("relay-coordinator"),
              TestPostgres.newDatabase("relay_bench"));
      int port = BenchSupport.port(coordinator);
      FrpsAdminStub stub =
          BenchSupport.registerRelay(port, registry.adminKey(), "us-1", "us", 30000, 39999, 10000);
      coordinator.getBean(HealthPoller.class).pollAll();

      List<String[]> creds = new ArrayList<>(); // credential, proxyName, remotePort
      for (int i = 0; i < jetsons; i++) {
        // one Jetson per account (the registry's rule)
        RunningRegistry.Account account =
            registry.createAccount("bench" + i, "bench" + i, RunningRegistry.Product.JETSON);
        RunningRegistry.EnrolledJetson j =
            registry.enrollJetson(
                account,
                dev.spoq.common.wireguard.X25519.generate().publicKey().base64(),
                "bench-" + i);
        HttpResponse<String> r =
            BenchSupport.HTTP.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/relay/assignment"))
                    .header("Authorization", "Bearer " + j.deviceToken())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode a = JSON.readTree(r.body());
        creds.add(
            new String[] {
              a.get("relayCredential").asString(),
              a.get("proxyName").asString(),
              a.get("remotePort").asString()
            });
      }
      String url =
          "http://127.0.0.1:" + port + "/frps-plugin/" + BenchSupport.PLUGIN_SECRET + "/us-1/handler";
      System.out.printf(
          "%nrelay-coordinator plugin benchmark: %d Jetsons, %d client threads, %d s per op (+%d s warm-up), %d CPU cores%n",
          jetsons, threads, seconds, warmup, Runtime.getRuntime().availableProcessors());
      for (String op : List.of("Login", "NewProxy")) {
        drive(url, op, creds, threads, Duration.ofSeconds(warmup), false);
        drive(url, op, creds, threads, Duration.ofSeconds(seconds), true);
      }
      coordinator.close();
      stub.close();
    }
    System.exit(0);
  }

  private static String body(String op, String[] c) {
    if (op.equals("Login")) {
      return "{\"version\":\"0.1.0\",\"op\":\"Login\",\"content\":{\"version\":\"0.61.1\",\"hostname\":\"\","
          + "\"os\":\"linux\",\"arch\":\"arm64\",\"user\":\"\",\"timestamp\":1732512345,"
          + "\"privilege_key\":\"9b2f1c0e3d4a5b6c\",\"run_id\":\"8a3c2f1e9d7b6a50\",\"pool_count\":1,"
          + "\"metas\":{\"spoq_relay_credential\":\""
          + c[0]
          + "\"},\"client_address\":\"203.0.113.7:51234\"}}";
    }
    return "{\"version\":\"0.1.0\",\"op\":\"NewProxy\",\"content\":{\"user\":{\"user\":\"\",\"metas\":"
        + "{\"spoq_relay_credential\":\""
        + c[0]
        + "\"},\"run_id\":\"8a3c2f1e9d7b6a50\"},\"proxy_name\":\""
        + c[1]
        + "\",\"proxy_type\":\"udp\",\"use_encryption\":false,\"use_compression\":false,"
        + "\"remote_port\":"
        + c[2]
        + "}}";
  }

  private static void drive(
      String url, String op, List<String[]> creds, int threads, Duration length, boolean print)
      throws Exception {
    List<long[]> latencies = new ArrayList<>();
    AtomicInteger failures = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(threads);
    long deadline = System.nanoTime() + length.toNanos();
    long start = System.nanoTime();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t;
      long[][] holder = new long[1][];
      Thread worker =
          new Thread(
              () -> {
                long[] buf = new long[1 << 16];
                int n = 0;
                try {
                  for (int i = offset; System.nanoTime() < deadline; i++) {
                    HttpRequest request =
                        HttpRequest.newBuilder(URI.create(url + "?version=0.1.0&op=" + op))
                            .header("Content-Type", "application/json")
                            .POST(
                                HttpRequest.BodyPublishers.ofString(
                                    body(op, creds.get(i % creds.size()))))
                            .build();
                    long t0 = System.nanoTime();
                    HttpResponse<String> r =
                        BenchSupport.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                    long dt = System.nanoTime() - t0;
                    if (r.statusCode() != 200 || !r.body().contains("\"reject\":false")) {
                      failures.incrementAndGet();
                      System.err.println("unexpected answer: " + r.statusCode() + " " + r.body());
                      return;
                    }
                    if (n == buf.length) {
                      buf = java.util.Arrays.copyOf(buf, n * 2);
                    }
                    buf[n++] = dt;
                  }
                } catch (Exception e) {
                  failures.incrementAndGet();
                  e.printStackTrace();
                } finally {
                  holder[0] = java.util.Arrays.copyOf(buf, n);
                  synchronized (latencies) {
                    latencies.add(holder[0]);
                  }
                  done.countDown();
                }
              },
              "bench-" + t);
      workers.add(worker);
      worker.start();
    }
    done.await();
    Duration wall = Duration.ofNanos(System.nanoTime() - start);
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " failed requests during " + op);
    }
    if (print) {
      BenchSupport.report("plugin " + op + " (allow, HTTP)", latencies, wall);
    }
  }
}
