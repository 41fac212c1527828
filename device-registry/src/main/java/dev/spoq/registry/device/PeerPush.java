package dev.spoq.registry.device;

import dev.spoq.common.ipplan.WireGuardAddressPlan;
import dev.spoq.registry.push.LongPollSlots;
import dev.spoq.registry.push.LongPollTimer;
import dev.spoq.registry.push.PgNotifications;
import dev.spoq.registry.wireguard.WireGuardConfigs;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The agent's peer-set long-poll ({@code GET /api/jetsons/self/peers?wait=}): a request whose
 * {@code If-None-Match} names the current version waits (async, no servlet thread) until the set
 * changes on any replica (NOTIFY {@code spoq_peers} with the Jetson id) or {@code wait} runs out.
 */
@Component
class PeerPush {

  static final int MAX_WAIT_SECONDS = 55;

  /** The agent's peer set: version (also the ETag), and one peer per active device. */
  record PeerSetResponse(
      UUID jetsonId,
      long version,
      String address,
      int listenPort,
      List<WireGuardConfigs.Peer> peers) {}

  private record Waiter(
      String ifNoneMatch, DeferredResult<ResponseEntity<PeerSetResponse>> result) {}

  private final PeerSetService peerSets;
  private final LongPollSlots slots;
  private final LongPollTimer timer;
  private final Map<UUID, Set<Waiter>> waiters = new ConcurrentHashMap<>();

  PeerPush(
      PeerSetService peerSets,
      LongPollSlots slots,
      LongPollTimer timer,
      PgNotifications notifications) {
    this.peerSets = peerSets;
    this.slots = slots;
    this.timer = timer;
    notifications.subscribe(
        PgNotifications.PEERS,
        payload -> {
          if (payload == null) {
            waiters.keySet().forEach(this::wake);
          } else {
            wake(UUID.fromString(payload));
          }
        });
  }

  /** The current set (200), or 304 when {@code ifNoneMatch} names its version. */
  ResponseEntity<PeerSetResponse> current(UUID jetsonId, String ifNoneMatch) {
    return answer(jetsonId, ifNoneMatch, peerSets.version(jetsonId));
  }

  /**
   * The current set (200), or 304 when unchanged; with {@code waitSeconds > 0} waits for a change.
   */
  DeferredResult<ResponseEntity<PeerSetResponse>> poll(
      UUID jetsonId, String ifNoneMatch, int waitSeconds) {
    long version = peerSets.version(jetsonId);
    if (!PeerSetService.matches(ifNoneMatch, version) || waitSeconds <= 0) {
      return done(answer(jetsonId, ifNoneMatch, version));
    }
    slots.acquire();
    // The timer answers at the deadline; the container's timeout is only a safety net.
    long waitMillis = waitSeconds * 1000L;
    DeferredResult<ResponseEntity<PeerSetResponse>> result =
        new DeferredResult<>(
            waitMillis + LongPollTimer.CONTAINER_GRACE_MILLIS, () -> notModified(version));
    ScheduledFuture<?> expiry =
        timer.schedule(() -> result.setResult(notModified(version)), waitMillis);
    Waiter waiter = new Waiter(ifNoneMatch, result);
    result.onCompletion(
        () -> {
          expiry.cancel(false);
          Set<Waiter> set = waiters.get(jetsonId);
          if (set != null && set.remove(waiter)) {
            slots.release(result);
            waiters.computeIfPresent(jetsonId, (id, s) -> s.isEmpty() ? null : s);
          }
        });
    waiters.computeIfAbsent(jetsonId, id -> ConcurrentHashMap.newKeySet()).add(waiter);
    slots.hold(result, () -> notModified(version));
    // A change committed between the version read and the registration must not be missed. The
    // cached read suffices: a change drops its cache entry (on every replica) before it wakes
    // waiters, so a wake-up this waiter missed left the entry gone, and this read goes to the
    // database.
    long again = peerSets.version(jetsonId);
    if (again != version) {
      result.setResult(answer(jetsonId, ifNoneMatch, again));
    }
    return result;
  }

  int waiting() {
    return waiters.values().stream().mapToInt(Set::size).sum();
  }

  private void wake(UUID jetsonId) {
    Set<Waiter> set = waiters.get(jetsonId);
    if (set == null || set.isEmpty()) {
      return;
    }
    long version = peerSets.currentVersion(jetsonId);
    ResponseEntity<PeerSetResponse> changed = null;
    for (Waiter waiter : set) {
      if (!PeerSetService.matches(waiter.ifNoneMatch(), version)) {
        if (changed == null) {
          changed = full(jetsonId);
        }
        waiter.result().setResult(changed);
      }
    }
  }

  private ResponseEntity<PeerSetResponse> answer(UUID jetsonId, String ifNoneMatch, long version) {
    return PeerSetService.matches(ifNoneMatch, version) ? notModified(version) : full(jetsonId);
  }

  private ResponseEntity<PeerSetResponse> full(UUID jetsonId) {
    PeerSetService.PeerSet set = peerSets.peerSet(jetsonId);
    return ResponseEntity.ok()
        .eTag(PeerSetService.etag(set.version()))
        .body(
            new PeerSetResponse(
                set.jetsonId(),
                set.version(),
                WireGuardAddressPlan.JETSON_INTERFACE_ADDRESS,
                WireGuardAddressPlan.LISTEN_PORT,
                set.peers()));
  }

  static ResponseEntity<PeerSetResponse> notModified(long version) {
    return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
        .eTag(PeerSetService.etag(version))
        .build();
  }

  private static <T> DeferredResult<T> done(T value) {
    DeferredResult<T> result = new DeferredResult<>();
    result.setResult(value);
    return result;
  }
}
