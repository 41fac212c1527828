package dev.spoq.e2e.harness;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes. */
public final class Wait {

  private Wait() {}

  /** Thrown by a condition to stop waiting at once (e.g. the awaited process died). */
  public static final class Abort extends RuntimeException {
    public Abort(String message) {
      super(message);
    }
  }

  /** Returns the elapsed time once {@code condition} holds; throws with {@code what} otherwise. */
  public static Duration until(String what, Duration timeout, Supplier<Boolean> condition) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(condition.get())) {
          return Duration.ofNanos(System.nanoTime() - start);
        }
      } catch (Abort e) {
        throw e;
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        IllegalStateException failure =
            new IllegalStateException(
                "timed out after " + timeout.toSeconds() + "s waiting for " + what);
        if (last != null) {
          failure.addSuppressed(last);
        }
        throw failure;
      }
      sleep(250);
    }
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
