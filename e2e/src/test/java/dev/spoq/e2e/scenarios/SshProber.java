package dev.spoq.e2e.scenarios;

import dev.spoq.e2e.harness.SshClient;
import dev.spoq.e2e.harness.Wait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens a new SSH connection every 2 s (a stock {@code ssh} with its own {@code
 * ConnectionAttempts=3}, which retries only a failed TCP connect) and records every one that did
 * not run its command.
 */
final class SshProber implements AutoCloseable {

  private final SshClient client;
  private final List<String> options;
  private final String destination;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicInteger ok = new AtomicInteger();
  private final List<String> failures = new ArrayList<>();
  private long slowestMillis;
  private Thread thread;

  SshProber(SshClient client, List<String> options, String destination) {
    this.client = client;
    List<String> all = new ArrayList<>(options);
    all.addAll(List.of("-o", "ConnectionAttempts=3"));
    this.options = List.copyOf(all);
    this.destination = destination;
  }

  void start() {
    thread =
        new Thread(
            () -> {
              int n = 0;
              while (running.get()) {
                n++;
                SshClient.Run run = client.ssh(options, destination, "echo probe-" + n);
                synchronized (this) {
                  if (run.ok() && run.output().contains("probe-" + n)) {
                    ok.incrementAndGet();
                    slowestMillis = Math.max(slowestMillis, run.elapsed().toMillis());
                  } else {
                    failures.add("#" + n + " exit " + run.exitCode() + ": " + run.output().trim());
                  }
                }
                Wait.sleep(2000);
              }
            },
            "ssh-prober");
    thread.setDaemon(true);
    thread.start();
  }

  synchronized List<String> failures() {
    return List.copyOf(failures);
  }

  synchronized String summary() {
    return ok.get()
        + " succeeded, "
        + failures.size()
        + " failed, slowest "
        + Duration.ofMillis(slowestMillis).toMillis()
        + " ms";
  }

  @Override
  public void close() {
    running.set(false);
    if (thread != null) {
      try {
        thread.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
