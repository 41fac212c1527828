package dev.spoq.relayserver;

import static dev.spoq.relayserver.Topology.JETSON_A_TUNNEL_IP;
import static dev.spoq.relayserver.Topology.JETSON_B_TUNNEL_IP;
import static dev.spoq.relayserver.Topology.RELAY_FOR_AGENTS;
import static dev.spoq.relayserver.Topology.RELAY_FOR_ATTACKERS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.relay.protocol.RelayFrames;
import dev.spoq.relay.protocol.RelayTunnel;
import dev.spoq.relay.protocol.SessionKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * relay-server end to end with real wireguard-go on both ends: the relay process (its exec jar,
 * shipped JVM flags) in its own namespace, the Jetsons' WireGuard behind RelayTunnels, stock-client
 * WireGuard configured once with Endpoint = relay:51820. The steps share one topology and run in
 * order; the last one removes Jetson A from the set.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayServerIT {

  private static final Duration KEEPALIVE = Duration.ofSeconds(2);
  private final SecureRandom random = new SecureRandom();
  private Topology net;

  @BeforeAll
  void setUp() {
    net = new Topology("it");
    net.writeJetsons("v1", net.a, net.b);
    net.startRelay(List.of("--spoq.relay.jetsons-file=" + net.jetsonsFile));
    net.a.openTunnel(RELAY_FOR_AGENTS, 51821, KEEPALIVE);
    net.b.openTunnel(RELAY_FOR_AGENTS, 51821, KEEPALIVE);
    Topology.await(
        "both agent sessions up",
        Duration.ofSeconds(20),
        () ->
            net.a.tunnel.status().state() == RelayTunnel.State.UP
                && net.b.tunnel.status().state() == RelayTunnel.State.UP);
  }

  @AfterAll
  void tearDown() {
    if (net != null) {
      net.close();
    }
  }

  @Test
  @Order(1)
  void stockClientHandshakesAndPingsThroughTheRelay() {
    Duration first = net.awaitPing(JETSON_A_TUNNEL_IP, Duration.ofSeconds(30));
    assertThat(net.phoneA.latestHandshake(net.a.wg.publicKey())).isPositive();
    assertThat(net.pings(JETSON_A_TUNNEL_IP, 5)).isEqualTo(5);
    // Full-MTU packets both ways (their transport messages are not 16-byte aligned).
    assertThat(net.pingsOfSize(JETSON_A_TUNNEL_IP, 5, 1392)).isEqualTo(5);
    System.out.printf(
        "relay IT: first ping through relay-server after %d ms (handshake included), RTT %.3f ms%n",
        first.toMillis(), net.rttMillis(JETSON_A_TUNNEL_IP, 10));

    RelayTunnel.Status status = net.a.tunnel.status();
    assertThat(status.clients()).isEqualTo(1);
    assertThat(status.bytesToJetson()).isPositive();
    assertThat(status.bytesFromJetson()).isPositive();
    // WireGuard on the Jetson sees the client as its own local endpoint (one socket per flow).
    assertThat(net.a.wg.endpoint(net.phoneA.publicKey())).startsWith("127.0.0.1:");
    assertThat(net.relay.metric("spoq_relay_initiations_total", "scan")).isGreaterThanOrEqualTo(1);
    assertThat(net.relay.metric("spoq_relay_jetson_bytes_total", net.a.id.toString())).isPositive();
  }

  @Test
  @Order(2)
  void garbageWrongMac1AndFloodsFromManySourcesAreDroppedWithoutDisturbingTheSession()
      throws Exception {
    StringBuilder batch = new StringBuilder();
    List<String> sources = new ArrayList<>();
    for (int i = 10; i < 210; i++) {
      sources.add("10.3.0." + i);
      batch
          .append("addr add 10.3.0.")
          .append(i)
          .append("/24 dev ")
          .append(net.attackLink.nameB())
          .append('\n');
    }
    java.nio.file.Path batchFile = net.work.resolve("attack-addresses.batch");
    Files.writeString(batchFile, batch);
    net.attackNs.exec("ip", "-batch", batchFile.toString());
    double malformed = net.relay.metric("spoq_relay_dropped_total", "malformed");
    int clientsA = net.a.tunnel.status().clients();
    int clientsB = net.b.tunnel.status().clients();
    long toJetsonBefore = net.a.tunnel.status().bytesToJetson();

    CompletableFuture<Integer> pings =
        CompletableFuture.supplyAsync(() -> net.pings(JETSON_A_TUNNEL_IP, 40));
    int sent = Netns.inside(net.attackNs, () -> flood(sources, 30));
    int received = pings.get();

    System.out.printf(
        "relay IT: flood of %d datagrams from %d sources; live session answered %d/40 pings%n",
        sent, sources.size(), received);
    assertThat(received).isGreaterThanOrEqualTo(39);
    assertThat(net.relay.metric("spoq_relay_dropped_total", "malformed")).isGreaterThan(malformed);
    assertThat(
            net.relay.metric("spoq_relay_dropped_total", "no_match")
                + net.relay.metric("spoq_relay_dropped_total", "rate_"))
        .isPositive();
    assertThat(net.relay.metric("spoq_relay_dropped_total", "no_route")).isPositive();
    assertThat(net.relay.metric("spoq_relay_dropped_total", "unauthenticated")).isPositive();
    // Nothing of the flood reached a Jetson: no new flow, only the pings' bytes.
    assertThat(net.a.tunnel.status().clients()).isEqualTo(clientsA);
    assertThat(net.b.tunnel.status().clients()).isEqualTo(clientsB);
    assertThat(net.a.tunnel.status().bytesToJetson() - toJetsonBefore).isLessThan(40 * 200L);
    assertThat(net.pings(JETSON_A_TUNNEL_IP, 5)).isEqualTo(5);
  }

  /** Garbage, wrong-mac1 initiations, random-index messages and fake session frames. */
  private int flood(List<String> sources, int rounds) throws IOException {
    InetSocketAddress clientPort = new InetSocketAddress(RELAY_FOR_ATTACKERS, 51820);
    InetSocketAddress agentPort = new InetSocketAddress(RELAY_FOR_ATTACKERS, 51821);
    List<DatagramChannel> channels = new ArrayList<>();
    int sent = 0;
    try {
      for (String source : sources) {
        channels.add(DatagramChannel.open().bind(new InetSocketAddress(source, 0)));
      }
      for (int round = 0; round < rounds; round++) {
        for (DatagramChannel ch : channels) {
          byte[] garbage = new byte[1 + random.nextInt(1400)];
          random.nextBytes(garbage);
          ch.send(ByteBuffer.wrap(garbage), clientPort);
          ch.send(ByteBuffer.wrap(wireGuardShaped(1, 148)), clientPort);
          ch.send(ByteBuffer.wrap(wireGuardShaped(2, 92)), clientPort);
          ch.send(ByteBuffer.wrap(wireGuardShaped(4, 32 + 16 * random.nextInt(80))), clientPort);
          byte[] session = new byte[RelayFrames.OVERHEAD + 100];
          random.nextBytes(session);
          session[0] = RelayFrames.DATA;
          session[1] = RelayFrames.VERSION;
          session[2] = 0;
          session[3] = 0;
          ch.send(ByteBuffer.wrap(session), agentPort);
          ch.send(ByteBuffer.wrap(garbage), agentPort);
          sent += 6;
        }
      }
    } finally {
      for (DatagramChannel ch : channels) {
        ch.close();
      }
    }
    return sent;
  }

  private byte[] wireGuardShaped(int type, int size) {
    byte[] b = new byte[size];
    random.nextBytes(b);
    b[0] = (byte) type;
    b[1] = 0;
    b[2] = 0;
    b[3] = 0;
    return b;
  }

  @Test
  @Order(3)
  void forgedStaleOrReplayedHellosAreRefusedAndTheLiveSessionStays() {
    Instant upSince = net.a.tunnel.status().upSince();
    double refusedBefore = net.relay.metric("spoq_relay_dropped_total", "hello_refused");
    InetSocketAddress relayAgents = new InetSocketAddress(RELAY_FOR_ATTACKERS, 51821);
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    byte[] forged =
        new RelayFrames.Hello(net.a.id, System.currentTimeMillis(), nonce)
            .encode(SessionKeys.derive("spoq_rly_guessed"));
    byte[] genuine =
        new RelayFrames.Hello(net.a.id, System.currentTimeMillis(), nonce).encode(net.a.sessionKey);
    byte[] stale =
        new RelayFrames.Hello(net.a.id, System.currentTimeMillis() - 300_000, newNonce())
            .encode(net.a.sessionKey);
    record Answers(
        boolean forged, boolean genuine, boolean replaySame, boolean replayOther, boolean stale) {}
    Answers answers =
        Netns.inside(
            net.attackNs,
            () -> {
              try (DatagramChannel one = DatagramChannel.open().bind(addr("10.3.0.2"));
                  DatagramChannel other = DatagramChannel.open().bind(addr("10.3.0.11"))) {
                return new Answers(
                    answered(one, forged, relayAgents),
                    answered(one, genuine, relayAgents),
                    answered(one, genuine, relayAgents),
                    answered(other, genuine, relayAgents),
                    answered(one, stale, relayAgents));
              }
            });
    assertThat(answers.forged()).as("forged hello answered").isFalse();
    // The genuine hello stands for one an agent sent; replays of it are refused.
    assertThat(answers.genuine()).as("fresh genuine hello answered").isTrue();
    assertThat(answers.replaySame()).as("replay from the same address").isFalse();
    assertThat(answers.replayOther()).as("replay from another address").isFalse();
    assertThat(answers.stale()).as("stale hello").isFalse();
    assertThat(net.relay.metric("spoq_relay_dropped_total", "hello_refused"))
        .isGreaterThanOrEqualTo(refusedBefore + 4);
    // The pending session of the accepted hello never replaced the live one.
    assertThat(net.a.tunnel.status().state()).isEqualTo(RelayTunnel.State.UP);
    assertThat(net.a.tunnel.status().upSince()).isEqualTo(upSince);
    assertThat(net.pings(JETSON_A_TUNNEL_IP, 5)).isEqualTo(5);
  }

  private byte[] newNonce() {
    byte[] n = new byte[16];
    random.nextBytes(n);
    return n;
  }

  private static InetSocketAddress addr(String ip) {
    return new InetSocketAddress(ip, 0);
  }

  private static boolean answered(DatagramChannel ch, byte[] frame, InetSocketAddress to)
      throws IOException, InterruptedException {
    ch.configureBlocking(false);
    ch.send(ByteBuffer.wrap(frame), to);
    ByteBuffer in = ByteBuffer.allocate(2048);
    long deadline = System.nanoTime() + 1_500_000_000L;
    while (System.nanoTime() < deadline) {
      if (ch.receive(in) != null) {
        return RelayFrames.type(in.array(), in.position()) == RelayFrames.HELLO_ACK;
      }
      Thread.sleep(20);
    }
    return false;
  }

  @Test
  @Order(4)
  void aClientOfOneJetsonNeverReachesAnotherJetsonsSession() {
    net.awaitPing(JETSON_B_TUNNEL_IP, Duration.ofSeconds(30));
    assertThat(net.pings(JETSON_B_TUNNEL_IP, 3)).isEqualTo(3);

    long bBefore = net.b.tunnel.status().bytesToJetson();
    assertThat(net.pings(JETSON_A_TUNNEL_IP, 5)).isEqualTo(5);
    assertThat(net.b.tunnel.status().bytesToJetson()).isEqualTo(bBefore);
    long aBefore = net.a.tunnel.status().bytesToJetson();
    assertThat(net.pings(JETSON_B_TUNNEL_IP, 5)).isEqualTo(5);
    assertThat(net.a.tunnel.status().bytesToJetson()).isEqualTo(aBefore);

    // Phone A aims at Jetson B (whose public key is no secret): the relay may route the
    // initiation there, but B's WireGuard does not know phone A, so nothing gets through.
    net.phoneA.peer(net.b.wg.publicKey(), Topology.RELAY_FOR_CLIENTS + ":51820", "10.101.0.1/32");
    net.clientNs.exec("ip", "route", "replace", "10.101.0.1/32", "dev", net.phoneA.iface());
    try {
      assertThat(
              net.clientNs
                  .tryExec("ping", "-c", "3", "-W", "2", "-I", "10.100.0.10", JETSON_B_TUNNEL_IP)
                  .ok())
          .isFalse();
      assertThat(net.phoneA.latestHandshake(net.b.wg.publicKey())).isZero();
      assertThat(net.b.wg.latestHandshake(net.phoneA.publicKey())).isZero();
    } finally {
      net.phoneA.removePeer(net.b.wg.publicKey());
      net.clientNs.exec("ip", "route", "del", "10.101.0.1/32", "dev", net.phoneA.iface());
    }
    assertThat(net.pings(JETSON_B_TUNNEL_IP, 3)).isEqualTo(3);
  }

  @Test
  @Order(5)
  void theSessionFollowsTheJetsonToANewAddressAndClientsKeepWorking() {
    double moves = net.relay.metric("spoq_relay_agent_moves_total", "");
    String link = net.jetsonLink.nameB();
    net.jetsonNs.exec("ip", "addr", "add", "10.2.0.3/24", "dev", link);
    net.jetsonNs.exec("ip", "addr", "del", "10.2.0.2/24", "dev", link);
    assertThat(net.jetsonNs.addresses(link)).containsExactly("10.2.0.3");

    // The phone is not touched: no re-activation, same config, same WireGuard session.
    Duration recovered = net.awaitPing(JETSON_A_TUNNEL_IP, Duration.ofSeconds(10));
    assertThat(net.pings(JETSON_A_TUNNEL_IP, 5)).isEqualTo(5);
    System.out.printf(
        "relay IT: Jetson address changed; pings answered again after %d ms%n",
        recovered.toMillis());
    assertThat(net.relay.metric("spoq_relay_agent_moves_total", "")).isGreaterThan(moves);
    assertThat(net.relay.log()).contains("moved from /10.2.0.2:").contains("to /10.2.0.3:");
    assertThat(net.a.tunnel.status().state()).isEqualTo(RelayTunnel.State.UP);
  }

  @Test
  @Order(6)
  void aRoamingClientKeepsItsSession() {
    String before = net.a.wg.endpoint(net.phoneA.publicKey());
    // The phone's public address changes (its NAT's WAN address, as on Wi-Fi to LTE).
    String link = net.clientLink.nameB();
    net.clientRouterNs.exec("ip", "addr", "add", "10.1.0.3/24", "dev", link);
    net.clientRouterNs.exec("ip", "addr", "del", "10.1.0.2/24", "dev", link);

    Duration recovered = net.awaitPing(JETSON_A_TUNNEL_IP, Duration.ofSeconds(10));
    assertThat(net.pings(JETSON_A_TUNNEL_IP, 5)).isEqualTo(5);
    System.out.printf(
        "relay IT: client roamed; pings answered again after %d ms%n", recovered.toMillis());
    // WireGuard on the Jetson moved the phone to the new flow only after authenticating it.
    assertThat(net.a.wg.endpoint(net.phoneA.publicKey()))
        .startsWith("127.0.0.1:")
        .isNotEqualTo(before);
  }

  @Test
  @Order(7)
  void aJetsonRemovedFromTheSetIsCutOffWithinTenSeconds() {
    assertThat(net.pings(JETSON_A_TUNNEL_IP, 2)).isEqualTo(2);
    long start = System.nanoTime();
    net.writeJetsons("v2", net.b);
    Topology.await(
        "Jetson A unreachable",
        Duration.ofSeconds(10),
        () -> net.pings(JETSON_A_TUNNEL_IP, 1) == 0);
    Duration cut = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf(
        "relay IT: Jetson removed from the set, cut off after %d ms%n", cut.toMillis());
    assertThat(cut).isLessThanOrEqualTo(Duration.ofSeconds(10));
    assertThat(net.pings(JETSON_A_TUNNEL_IP, 3)).isZero();
    Topology.await(
        "Jetson A's tunnel notices",
        Duration.ofSeconds(15),
        () -> net.a.tunnel.status().state() == RelayTunnel.State.DOWN);
    assertThat(net.relay.metric("spoq_relay_jetsons", "")).isEqualTo(1);
    assertThat(net.b.tunnel.status().state()).isEqualTo(RelayTunnel.State.UP);
    assertThat(net.pings(JETSON_B_TUNNEL_IP, 3)).isEqualTo(3);
  }
}
