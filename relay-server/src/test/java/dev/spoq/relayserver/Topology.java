package dev.spoq.relayserver;

import dev.spoq.relay.protocol.RelayTunnel;
import dev.spoq.relay.protocol.SessionKeys;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.netns.Veth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test network: a relay namespace routing between a client network (10.1.0.0/24, where the phones'
 * NAT router masquerades their LAN 192.168.7.0/24), a Jetson namespace (10.2.0.0/24) and an
 * attacker namespace (10.3.0.0/24). Jetsons A and B run real wireguard-go in the Jetson namespace
 * (ports 51820 and 51830) with RelayTunnels towards the relay; phones A and B run wireguard-go in
 * the client namespace with Endpoint = relay:51820.
 */
final class Topology implements AutoCloseable {

  static final String RELAY_FOR_CLIENTS = "10.1.0.1";
  static final String RELAY_FOR_AGENTS = "10.2.0.1";
  static final String RELAY_FOR_ATTACKERS = "10.3.0.1";
  static final String JETSON_A_TUNNEL_IP = "10.100.0.1";
  static final String JETSON_B_TUNNEL_IP = "10.101.0.1";

  final Path work;
  final NetworkNamespace relayNs;
  final NetworkNamespace clientNs;
  final NetworkNamespace clientRouterNs;
  final NetworkNamespace jetsonNs;
  final NetworkNamespace attackNs;
  final Veth clientLink;
  final Veth clientLan;
  final Veth jetsonLink;
  final Veth attackLink;
  final List<AutoCloseable> closeables = new ArrayList<>();

  final Jetson a;
  final Jetson b;
  final WgDevice phoneA;
  final WgDevice phoneB;
  final Path jetsonsFile;
  RelayProcess relay;

  /** One Jetson: its WireGuard, its relay identity and its tunnel. */
  final class Jetson {
    UUID id = UUID.randomUUID();
    byte[] sessionKey = SessionKeys.derive("spoq_rly_" + NetworkNamespace.randomSuffix(16));
    final WgDevice wg;
    final int port;
    RelayTunnel tunnel;

    Jetson(String prefix, int port, String address) {
      this.port = port;
      this.wg = track(new WgDevice(jetsonNs, work, prefix)).up(port, address, null);
    }

    String json() {
      return "{\"jetsonId\":\""
          + id
          + "\",\"publicKey\":\""
          + wg.publicKey()
          + "\",\"sessionKey\":\""
          + Base64.getEncoder().encodeToString(sessionKey)
          + "\"}";
    }

    RelayTunnel openTunnel(String relayHost, int agentPort, Duration keepalive) {
      tunnel =
          Netns.inside(
              jetsonNs,
              () ->
                  RelayTunnel.open(
                      new RelayTunnel.Config(
                          new InetSocketAddress(relayHost, agentPort),
                          id,
                          sessionKey,
                          new InetSocketAddress("127.0.0.1", port),
                          keepalive)));
      track(tunnel);
      return tunnel;
    }
  }

  Topology(String name) {
    try {
      work = Files.createTempDirectory("relay-" + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    relayNs = track(NetworkNamespace.create("relay"));
    clientNs = track(NetworkNamespace.create("client"));
    clientRouterNs = track(NetworkNamespace.create("cnat"));
    jetsonNs = track(NetworkNamespace.create("jetson"));
    attackNs = track(NetworkNamespace.create("attack"));
    clientLink = Veth.connect(relayNs, RELAY_FOR_CLIENTS + "/24", clientRouterNs, "10.1.0.2/24");
    clientLan = Veth.connect(clientRouterNs, "192.168.7.1/24", clientNs, "192.168.7.2/24");
    clientNs.defaultRoute("192.168.7.1");
    clientRouterNs.enableForwarding().masquerade(clientLink.nameB());
    jetsonLink = Veth.connect(relayNs, RELAY_FOR_AGENTS + "/24", jetsonNs, "10.2.0.2/24");
    attackLink = Veth.connect(relayNs, RELAY_FOR_ATTACKERS + "/24", attackNs, "10.3.0.2/24");
    for (NetworkNamespace ns : List.of(clientRouterNs, jetsonNs, attackNs)) {
      ns.exec("sysctl", "-q", "-w", "net.ipv4.conf.all.promote_secondaries=1");
    }
    a = new Jetson("ja", 51820, JETSON_A_TUNNEL_IP + "/24");
    b = new Jetson("jb", 51830, JETSON_B_TUNNEL_IP + "/24");
    phoneA = track(new WgDevice(clientNs, work, "pa")).up(0, "10.100.0.10/32", "10.100.0.0/24");
    phoneB = track(new WgDevice(clientNs, work, "pb")).up(0, "10.101.0.10/32", "10.101.0.0/24");
    a.wg.peer(phoneA.publicKey(), null, "10.100.0.10/32");
    b.wg.peer(phoneB.publicKey(), null, "10.101.0.10/32");
    String endpoint = RELAY_FOR_CLIENTS + ":51820";
    phoneA.peer(a.wg.publicKey(), endpoint, "10.100.0.0/24");
    phoneB.peer(b.wg.publicKey(), endpoint, "10.101.0.0/24");
    jetsonsFile = work.resolve("jetsons.json");
  }

  <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  void writeJetsons(String version, Jetson... jetsons) {
    StringBuilder body = new StringBuilder("{\"version\":\"" + version + "\",\"jetsons\":[");
    for (int i = 0; i < jetsons.length; i++) {
      body.append(i == 0 ? "" : ",").append(jetsons[i].json());
    }
    body.append("]}");
    try {
      Path tmp = jetsonsFile.resolveSibling("jetsons.tmp");
      Files.writeString(tmp, body);
      Files.move(
          tmp,
          jetsonsFile,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void startRelay(List<String> args) {
    relay = track(RelayProcess.start(relayNs, work.resolve("relay-server.log"), args));
  }

  /** How many of {@code count} pings from the client namespace came back. */
  int pings(String target, int count) {
    String out =
        clientNs
            .tryExec("ping", "-n", "-c", String.valueOf(count), "-i", "0.2", "-W", "2", target)
            .output();
    Matcher m = Pattern.compile("(\\d+) received").matcher(out);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /**
   * How many of {@code count} pings of {@code size} data bytes came back; 1392 fills the tunnel MTU
   * (1420), so WireGuard sends transport messages that are not 16-byte aligned.
   */
  int pingsOfSize(String target, int count, int size) {
    String out =
        clientNs
            .tryExec(
                "ping",
                "-n",
                "-c",
                String.valueOf(count),
                "-i",
                "0.2",
                "-W",
                "2",
                "-s",
                String.valueOf(size),
                target)
            .output();
    Matcher m = Pattern.compile("(\\d+) received").matcher(out);
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** Average ping RTT in ms from the client namespace (NaN when none came back). */
  double rttMillis(String target, int count) {
    String out =
        clientNs
            .tryExec(
                "ping", "-n", "-q", "-c", String.valueOf(count), "-i", "0.2", "-W", "2", target)
            .output();
    Matcher m = Pattern.compile("= [\\d.]+/([\\d.]+)/").matcher(out);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** Pings until one answer comes back; returns how long it took. */
  Duration awaitPing(String target, Duration timeout) {
    long start = System.nanoTime();
    await("ping " + target, timeout, () -> pings(target, 1) == 1);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + timeout + ": " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  @Override
  public void close() {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      try {
        closeables.get(i).close();
      } catch (Exception e) {
        System.err.println("cleanup: " + e);
      }
    }
  }
}
