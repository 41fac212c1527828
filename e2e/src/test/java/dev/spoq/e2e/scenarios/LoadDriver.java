package dev.spoq.e2e.scenarios;

import dev.spoq.e2e.harness.Http;
import dev.spoq.e2e.harness.Wait;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small, bounded stand-in for more Jetsons: one enrolled Jetson's device token used the way an
 * agent uses it, through the TLS proxy, at a few requests per second: peer polls, status reports
 * (each carrying a sequence number) and DNS updates (each naming a new address). Every operation is
 * retried like the agent retries (4 attempts, 1 s apart, on a connection failure, 429 or 5xx); an
 * operation that fails after that counts as failed.
 */
final class LoadDriver implements AutoCloseable {

  static final int ATTEMPTS = 4;
  static final long PAUSE = 400;

  /** dns-api allows a device 20 updates a minute (its shipped rate limit): one every 4 s. */
  static final long DNS_PAUSE = 4000;

  /** Counters of one kind of operation. */
  static final class Counter {
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger retried = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicLong lastAcknowledged = new AtomicLong(-1);
    final List<String> failures = new ArrayList<>();

    @Override
    public String toString() {
      return ok.get() + " ok (" + retried.get() + " needed a retry), " + failed.get() + " failed";
    }
  }

  private final NetworkNamespace ns;
  private final String api;
  private final List<String> tls;
  private final String token;
  private final String subdomain;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong sequence = new AtomicLong();
  final Map<String, Counter> counters = new LinkedHashMap<>();
  private final List<Thread> threads = new ArrayList<>();

  LoadDriver(NetworkNamespace ns, String api, Path caCertificate, String token, String subdomain) {
    this.ns = ns;
    this.api = api;
    this.tls = List.of("--cacert", caCertificate.toString(), "--max-time", "8");
    this.token = token;
    this.subdomain = subdomain;
    for (String kind : List.of("peers", "status", "dns")) {
      counters.put(kind, new Counter());
    }
  }

  LoadDriver start() {
    loop(
        "peers",
        PAUSE,
        seq -> Http.call(ns, "GET", api + "/api/jetsons/self/peers", token, null, tls));
    loop(
        "status",
        PAUSE,
        seq ->
            Http.call(
                ns,
                "PUT",
                api + "/api/jetsons/self/status",
                token,
                Map.of(
                    "agent",
                    Map.of(
                        "version",
                        "load-driver",
                        "hostname",
                        "dave-jetson",
                        "uptime_seconds",
                        seq)),
                tls));
    loop(
        "dns",
        DNS_PAUSE,
        seq ->
            Http.call(
                ns,
                "POST",
                api + "/api/dns/update",
                token,
                Map.of("subdomain", subdomain, "ip", addressFor(seq)),
                tls));
    return this;
  }

  /** The address the DNS update with this sequence number publishes (all public, all distinct). */
  static String addressFor(long seq) {
    return "52.9." + (seq / 250 % 250 + 1) + "." + (seq % 250 + 1);
  }

  private interface Op {
    Http.Response call(long seq);
  }

  private void loop(String kind, long pauseMillis, Op op) {
    Counter c = counters.get(kind);
    Thread t =
        new Thread(
            () -> {
              while (running.get()) {
                long seq = sequence.incrementAndGet();
                int attempt = 0;
                String last = null;
                boolean done = false;
                while (!done && attempt < ATTEMPTS) {
                  attempt++;
                  Http.Response r;
                  try {
                    r = op.call(seq);
                  } catch (RuntimeException e) {
                    r = null;
                    last = e.getMessage();
                  }
                  if (r != null && r.status() >= 200 && r.status() < 300) {
                    done = true;
                  } else {
                    if (r != null) {
                      last = r.status() + " " + r.body();
                      if (r.status() < 500 && r.status() != 429 && r.status() != 0) {
                        break; // a real refusal: retrying would not change it
                      }
                    }
                    if (attempt < ATTEMPTS) {
                      Wait.sleep(1000);
                    }
                  }
                }
                if (done) {
                  c.ok.incrementAndGet();
                  if (attempt > 1) {
                    c.retried.incrementAndGet();
                  }
                  c.lastAcknowledged.set(seq);
                } else {
                  c.failed.incrementAndGet();
                  synchronized (c.failures) {
                    c.failures.add("seq " + seq + ": " + last);
                  }
                }
                Wait.sleep(pauseMillis);
              }
            },
            "load-" + kind);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  int failed() {
    return counters.values().stream().mapToInt(c -> c.failed.get()).sum();
  }

  String summary() {
    StringBuilder out = new StringBuilder();
    counters.forEach(
        (k, c) -> out.append(out.length() == 0 ? "" : "; ").append(k).append(' ').append(c));
    return out.toString();
  }

  List<String> failures() {
    List<String> all = new ArrayList<>();
    counters.forEach(
        (k, c) -> {
          synchronized (c.failures) {
            c.failures.forEach(f -> all.add(k + " " + f));
          }
        });
    return all;
  }

  @Override
  public void close() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(40_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
