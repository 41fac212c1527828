package dev.spoq.registry.device;

import dev.spoq.common.ipplan.WireGuardAddressPlan;
import dev.spoq.registry.jetson.JetsonRepository;
import dev.spoq.registry.wireguard.WireGuardConfigs;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The Jetson's peer set (its active devices) and its version, the ETag of the agent's poll. */
@Service
class PeerSetService {

  record PeerSet(UUID jetsonId, long version, List<WireGuardConfigs.Peer> peers) {}

  private final JetsonRepository jetsons;
  private final DeviceRepository devices;

  PeerSetService(JetsonRepository jetsons, DeviceRepository devices) {
    this.jetsons = jetsons;
    this.devices = devices;
  }

  /** A cheap read for the no-change poll. */
  @Transactional(readOnly = true)
  long version(UUID jetsonId) {
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
