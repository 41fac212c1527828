package dev.spoq.registry.push;

import jakarta.annotation.PreDestroy;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Answers held long-polls when their {@code wait} runs out, on time. The servlet container's own
 * async timeout is checked by a sweep about once a second, so a long-poll left to it answers up to
 * a second late; this timer fires at the deadline. One thread serves every waiter (a task only
 * completes a DeferredResult); a cancelled task leaves the queue at once.
 */
@Component
public class LongPollTimer {

  /** The container's timeout stays as a safety net this long after the timer's deadline. */
  public static final long CONTAINER_GRACE_MILLIS = 5_000;

  private final ScheduledThreadPoolExecutor timer =
      new ScheduledThreadPoolExecutor(
          1,
          r -> {
            Thread t = new Thread(r, "long-poll-timer");
            t.setDaemon(true);
            return t;
          });

  LongPollTimer() {
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Runs {@code expire} after {@code millis} unless the returned handle is cancelled first. */
  public ScheduledFuture<?> schedule(Runnable expire, long millis) {
    return timer.schedule(expire, millis, TimeUnit.MILLISECONDS);
  }

  /** Waiters scheduled now (tests, metrics). */
  public int scheduled() {
    return timer.getQueue().size();
  }

  @PreDestroy
  void stop() {
    timer.shutdownNow();
  }
}
