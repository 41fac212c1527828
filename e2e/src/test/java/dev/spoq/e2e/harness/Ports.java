package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.time.Duration;

/** Waits for a process inside a namespace to listen (checked with {@code ss} inside it). */
public final class Ports {

  private Ports() {}

  public static void awaitTcp(
      NetworkNamespace ns, int port, ManagedProcess process, Duration timeout) {
    await(ns, "-ltnH", port, process, timeout);
  }

  public static void awaitUdp(
      NetworkNamespace ns, int port, ManagedProcess process, Duration timeout) {
    await(ns, "-lunH", port, process, timeout);
  }

  public static boolean listening(NetworkNamespace ns, String flags, int port) {
    return !ns.exec("ss", flags, "sport = :" + port).output().isBlank();
  }

  private static void await(
      NetworkNamespace ns, String flags, int port, ManagedProcess process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (process != null && !process.isAlive()) {
        throw new IllegalStateException(
            "process exited before listening on " + port + " in " + ns + ":\n" + process.output());
      }
      if (listening(ns, flags, port)) {
        return;
      }
      Wait.sleep(200);
    }
    throw new IllegalStateException(
        "nothing listens on port "
            + port
            + " in "
            + ns
            + " after "
            + timeout.toSeconds()
            + "s"
            + (process == null ? "" : ":\n" + process.output()));
  }
}
