package dev.spoq.registry.device;

import dev.spoq.common.ipplan.WireGuardAddressPlan;
import dev.spoq.registry.jetson.JetsonRepository;
import dev.spoq.registry.push.PgNotifications;
import dev.spoq.registry.wireguard.WireGuardConfigs;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The Jetson's peer set (its active devices) and its version, the ETag of the agent's poll. */
@Service
class PeerSetService {

  record PeerSet(UUID jetsonId, long version, List<WireGuardConfigs.Peer> peers) {}

  private static final int MAX_CACHED_VERSIONS = 200_000;

  private final JetsonRepository jetsons;
  private final DeviceRepository devices;
  private final PgNotifications notifications;
  private final Map<UUID, Long> versions = new ConcurrentHashMap<>();
  // Bumped by every invalidation: a version read across one is not cached (it may be stale).
  private final AtomicLong invalidations = new AtomicLong();

  private final boolean cacheEnabled;

  PeerSetService(
      JetsonRepository jetsons,
      DeviceRepository devices,
      PgNotifications notifications,
      @Value("${spoq.push.local-caches:true}") boolean cacheEnabled) {
    this.cacheEnabled = cacheEnabled;
    this.jetsons = jetsons;
    this.devices = devices;
    this.notifications = notifications;
    notifications.subscribeCache(
        PgNotifications.PEERS,
        payload -> {
          invalidations.incrementAndGet();
          if (payload == null) {
            versions.clear();
          } else {
            versions.remove(UUID.fromString(payload));
          }
        });
  }

  /**
   * The no-change poll's read: from memory while this replica hears peer-set changes (a change on
   * any replica drops the Jetson's entry), else from the database.
   */
  long version(UUID jetsonId) {
    if (!cacheEnabled || !notifications.connected()) {
      return jetsons.peerVersion(jetsonId);
    }
    Long cached = versions.get(jetsonId);
    if (cached != null) {
      return cached;
    }
    long generation = invalidations.get();
    long version = jetsons.peerVersion(jetsonId);
    if (versions.size() >= MAX_CACHED_VERSIONS) {
      versions.clear();
    }
    if (invalidations.get() == generation) {
      versions.put(jetsonId, version);
    }
    return version;
  }

  /** Always from the database (the long-poll's re-check, which must not miss a commit). */
  long currentVersion(UUID jetsonId) {
    return jetsons.peerVersion(jetsonId);
  }

  /**
   * The version is read before the peers, so a concurrent change can only make the list newer than
   * its version (the next poll fetches again), never older.
   */
  @Transactional(readOnly = true)
  PeerSet peerSet(UUID jetsonId) {
    long version = jetsons.peerVersion(jetsonId);
    List<WireGuardConfigs.Peer> peers =
        devices.activeOf(jetsonId).stream()
            .map(
                d ->
                    new WireGuardConfigs.Peer(
                        d.id(),
                        d.name(),
                        d.profile(),
                        d.publicKey(),
                        WireGuardAddressPlan.hostRoute(d.hostOctet())))
            .toList();
    return new PeerSet(jetsonId, version, peers);
  }

  static String etag(long version) {
    return "\"peers-" + version + "\"";
  }

  /** Whether an If-None-Match header names this version (or is {@code *}). */
  static boolean matches(String ifNoneMatch, long version) {
    if (ifNoneMatch == null || ifNoneMatch.length() > 1000) {
      return false;
    }
    String current = etag(version);
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.equals("*") || t.equals(current)) {
        return true;
      }
    }
    return false;
  }
}
