package dev.spoq.registry.push;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.security.ServiceCaller;
import dev.spoq.registry.security.ServiceScope;
import dev.spoq.registry.security.ServiceScopes;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * {@code GET /internal/v1/revocations?after=<cursor>&wait=<0..30>}: the revocation feed other
 * services long-poll (contract C4). Answers as soon as an event after {@code after} exists, else
 * after {@code wait} seconds with no events. Without {@code after}: the current cursor, no events.
 */
@RestController
@RequestMapping("/internal/v1/revocations")
class RevocationController {

  static final int MAX_WAIT_SECONDS = 30;
  static final int PAGE = 500;

  record Feed(long cursor, List<FeedEvent> events) {}

  record FeedEvent(
      String kind, String tokenHash, UUID jetsonId, UUID accountId, String username, Instant at) {}

  private record Waiter(long after, DeferredResult<Feed> result) {}

  private final RevocationLog log;
  private final LongPollSlots slots;
  private final PgNotifications notifications;
  private final ServiceScopes scopes;
  private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();

  RevocationController(
      RevocationLog log, LongPollSlots slots, PgNotifications notifications, ServiceScopes scopes) {
    this.log = log;
    this.slots = slots;
    this.notifications = notifications;
    this.scopes = scopes;
    notifications.subscribe(PgNotifications.REVOCATIONS, payload -> wake());
  }

  @GetMapping
  DeferredResult<Feed> revocations(
      ServiceCaller caller,
      @RequestParam(required = false) Long after,
      @RequestParam(defaultValue = "0") int wait) {
    scopes.require(caller, ServiceScope.READ_REVOCATIONS);
    if (wait < 0 || wait > MAX_WAIT_SECONDS) {
      throw ApiProblemException.invalid("wait must be 0.." + MAX_WAIT_SECONDS + " seconds.");
    }
    if (after != null && after < 0) {
      throw ApiProblemException.invalid("after must be a cursor from an earlier answer (>= 0).");
    }
    DeferredResult<Feed> result = new DeferredResult<>();
    if (after == null) {
      result.setResult(new Feed(log.cursor(), List.of()));
      return result;
    }
    Feed now = read(after);
    if (!now.events().isEmpty() || wait == 0 || now.cursor() < after) {
      result.setResult(now);
      return result;
    }
    slots.acquire();
    DeferredResult<Feed> waiting =
        new DeferredResult<>(wait * 1000L, () -> new Feed(after, List.of()));
    Waiter waiter = new Waiter(after, waiting);
    waiting.onCompletion(
        () -> {
          if (waiters.remove(waiter)) {
            slots.release(waiting);
          }
        });
    waiters.add(waiter);
    slots.hold(waiting, () -> new Feed(after, List.of()));
    // An event committed between the read above and the registration must not be missed.
    Feed again = read(after);
    if (!again.events().isEmpty()) {
      waiting.setResult(again);
    }
    return waiting;
  }

  /**
   * While this replica's LISTEN connection is down, notifications from other replicas are lost:
   * check the table every second instead, so waiting feeds still answer within about a second.
   */
  @Scheduled(fixedDelay = 1000)
  void pollWhileDeaf() {
    if (!notifications.connected()) {
      wake();
    }
  }

  /** Answers every waiter that has an event after its cursor (one query for all of them). */
  private void wake() {
    if (waiters.isEmpty()) {
      return;
    }
    long from = waiters.stream().mapToLong(Waiter::after).min().orElse(Long.MAX_VALUE);
    List<RevocationLog.Event> events = log.after(from, PAGE * 4);
    if (events.isEmpty()) {
      return;
    }
    for (Waiter waiter : waiters) {
      List<RevocationLog.Event> mine =
          events.stream().filter(e -> e.id() > waiter.after()).limit(PAGE).toList();
      if (!mine.isEmpty()) {
        waiter.result().setResult(feed(waiter.after(), mine));
      }
    }
  }

  /**
   * Events after the cursor. A cursor beyond the newest event (the feed was reset) answers the
   * current cursor, so the caller starts over from there.
   */
  private Feed read(long after) {
    List<RevocationLog.Event> events = log.after(after, PAGE);
    if (!events.isEmpty()) {
      return feed(after, events);
    }
    long current = log.cursor();
    return new Feed(Math.min(current, after), List.of());
  }

  private static Feed feed(long after, List<RevocationLog.Event> events) {
    long cursor = events.isEmpty() ? after : events.get(events.size() - 1).id();
    return new Feed(
        cursor,
        events.stream()
            .map(
                e ->
                    new FeedEvent(
                        e.kind().name(),
                        e.tokenHash(),
                        e.jetsonId(),
                        e.accountId(),
                        e.username(),
                        e.at()))
            .toList());
  }
}
