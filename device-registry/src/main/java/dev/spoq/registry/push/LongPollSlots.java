package dev.spoq.registry.push;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The bound on long-polls held at once by this replica. A held long-poll is an async request
 * (DeferredResult): it holds a slot here and a connection, never a servlet thread.
 */
@Component
public class LongPollSlots {

  private final int max;
  private final AtomicInteger held = new AtomicInteger();

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

  public void release() {
    held.decrementAndGet();
  }

  public int held() {
    return held.get();
  }
}
