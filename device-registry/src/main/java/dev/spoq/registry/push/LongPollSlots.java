package dev.spoq.registry.push;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The bound on long-polls held at once by this replica, and their answer at shutdown. A held
 * long-poll is an async request (DeferredResult): it holds a slot here and a connection, never a
 * servlet thread.
 *
 * <p>On shutdown this lifecycle stops before the web server's graceful shutdown (which would wait
 * for every held request) and answers each held long-poll at once with its "nothing new" answer
 * (304 / an empty feed), as if its wait had run out; polls arriving meanwhile are answered the same
 * way at once. Clients re-poll, through the balancer on the other replica, without an error, and
 * the replica stops in about a second instead of waiting out the longest held poll.
 */
@Component
public class LongPollSlots implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(LongPollSlots.class);

  private final int max;
  private final AtomicInteger held = new AtomicInteger();
  private final Map<DeferredResult<?>, Supplier<?>> holding = new ConcurrentHashMap<>();
  private volatile boolean running;
  private volatile boolean stopping;

  LongPollSlots(PushProperties properties, MeterRegistry meters) {
    this.max = properties.maxWaiters();
    meters.gauge("spoq.push.waiters", held);
  }

  /** Takes a slot, or refuses with 503 and {@code Retry-After} when all are held. */
  public void acquire() {
    while (true) {
      int now = held.get();
      if (now >= max) {
        throw new ApiProblemException(
                HttpStatus.SERVICE_UNAVAILABLE,
                ProblemTypes.SERVICE_UNAVAILABLE,
                "Too many waiting requests",
                "This replica holds its maximum of long-polls; poll without wait, or retry later.")
            .withHeader("Retry-After", "5");
      }
      if (held.compareAndSet(now, now + 1)) {
        return;
      }
    }
  }

  /**
   * Holds {@code result} (with its slot) until it completes; at shutdown it gets {@code
   * whenStopping}'s answer. Release the slot with {@link #release(DeferredResult)} on completion.
   */
  public <T> void hold(DeferredResult<T> result, Supplier<T> whenStopping) {
    holding.put(result, whenStopping);
    if (stopping) {
      result.setResult(whenStopping.get());
    }
  }

  /** Gives back the slot of a completed long-poll. */
  public void release(DeferredResult<?> result) {
    holding.remove(result);
    held.decrementAndGet();
  }

  public int held() {
    return held.get();
  }

  @Override
  public void start() {
    stopping = false;
    running = true;
  }

  /** Answers every held long-poll now (before the web server's graceful shutdown waits). */
  @Override
  public void stop() {
    stopping = true;
    running = false;
    int answered = 0;
    for (Map.Entry<DeferredResult<?>, Supplier<?>> held : holding.entrySet()) {
      if (answer(held.getKey(), held.getValue())) {
        answered++;
      }
    }
    log.info(
        "stopping: answered {} held long-polls so their clients poll again elsewhere", answered);
  }

  @SuppressWarnings("unchecked")
  private static <T> boolean answer(DeferredResult<T> result, Supplier<?> whenStopping) {
    return result.setResult((T) whenStopping.get());
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops among the first lifecycles: before the web server's graceful shutdown. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }
}
