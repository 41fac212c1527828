package dev.spoq.relayserver;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs code on a fresh thread moved into a test namespace with setns(2). Sockets made there stay in
 * that namespace, and threads started there (a RelayTunnel's) inherit it. Only that thread moves;
 * the rest of the test JVM stays in the root namespace.
 */
final class Netns {

  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY_CLOEXEC = 0x80000;

  interface LibC extends Library {
    LibC C = Native.load("c", LibC.class);

    int open(String path, int flags);

    int setns(int fd, int nstype);

    int close(int fd);
  }

  private Netns() {}

  static <T> T inside(NetworkNamespace ns, Callable<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              int fd = LibC.C.open("/var/run/netns/" + ns.name(), O_RDONLY_CLOEXEC);
              if (fd < 0) {
                result.completeExceptionally(new IllegalStateException("cannot open " + ns));
                return;
              }
              int rc = LibC.C.setns(fd, CLONE_NEWNET);
              LibC.C.close(fd);
              if (rc != 0) {
                result.completeExceptionally(new IllegalStateException("setns failed for " + ns));
                return;
              }
              try {
                result.complete(body.call());
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            },
            "in-" + ns.name());
    thread.setDaemon(true);
    thread.start();
    try {
      return result.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
