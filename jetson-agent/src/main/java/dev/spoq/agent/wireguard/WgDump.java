package dev.spoq.agent.wireguard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Parsed {@code wg show <if> dump}: the interface line, then one tab-separated line per peer. */
public record WgDump(String publicKey, int listenPort, List<PeerStats> peers) {

  public record PeerStats(
      String publicKey,
      String endpoint,
      List<String> allowedIps,
      Instant latestHandshake,
      long transferRx,
      long transferTx) {}

  public static WgDump parse(String dump) {
    String[] lines = dump.strip().split("\n");
    if (lines.length == 0 || lines[0].isBlank()) {
      throw new IllegalArgumentException("empty wg dump");
    }
    String[] iface = lines[0].split("\t");
    if (iface.length < 4) {
      throw new IllegalArgumentException("unexpected wg dump interface line");
    }
    List<PeerStats> peers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String[] f = lines[i].split("\t");
      if (f.length < 8) {
        throw new IllegalArgumentException("unexpected wg dump peer line " + i);
      }
      long handshake = Long.parseLong(f[4]);
      peers.add(
          new PeerStats(
              f[0],
              "(none)".equals(f[2]) ? null : f[2],
              "(none)".equals(f[3]) ? List.of() : List.of(f[3].split(",")),
              handshake == 0 ? null : Instant.ofEpochSecond(handshake),
              Long.parseLong(f[5]),
              Long.parseLong(f[6])));
    }
    return new WgDump(iface[1], Integer.parseInt(iface[2]), List.copyOf(peers));
  }
}
