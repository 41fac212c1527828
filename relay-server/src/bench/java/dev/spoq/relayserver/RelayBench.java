package dev.spoq.relayserver;

import dev.spoq.relay.protocol.RelayFrames;
import dev.spoq.relay.protocol.RelayTunnel;
import dev.spoq.relay.protocol.SessionCrypto;
import dev.spoq.relayserver.datapath.Mac1RoutingBench;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * relay-server benchmarks (run as root: {@code ./mvnw -pl relay-server -am -Pbench verify
 * -DskipTests} then {@code ./mvnw -pl relay-server -Pbench exec:java}; or pick one with {@code
 * -Dbench.only=a|b|c}). The relay runs as its exec jar with the systemd unit's JVM flags.
 *
 * <ul>
 *   <li>(a) iperf3 TCP over WireGuard through relay-server vs direct, same namespaces, same run, and
 *       the ping RTT each way;
 *   <li>(b) mac1 routing cost with 1,000 and 10,000 Jetsons ({@link Mac1RoutingBench});
 *   <li>(c) 10,000 agent sessions held by one relay-server process: RSS and CPU.
 * </ul>
 */
public final class RelayBench {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final SecureRandom random = new SecureRandom();

  private RelayBench() {}

  public static void main(String[] args) throws Exception {
    String only = System.getProperty("bench.only", "abc");
    System.out.println("relay-server JVM flags (systemd unit): " + RelayProcess.shippedJvmFlags());
    if (only.contains("b")) {
      // In its own JVM with exactly the shipped flags.
      ProcessBuilder p =
          new ProcessBuilder(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Mac1RoutingBench.class.getName())
              .inheritIO()
              .redirectErrorStream(true);
      p.environment().put("JAVA_TOOL_OPTIONS", RelayProcess.shippedJvmFlags());
      Process child = p.start();
      if (child.waitFor() != 0) {
        throw new IllegalStateException("mac1 routing bench failed");
      }
    }
    if (only.contains("a") || only.contains("c")) {
      try (Topology net = new Topology("bench")) {
        net.writeJetsons("v1", net.a, net.b);
        net.startRelay(List.of("--spoq.relay.jetsons-file=" + net.jetsonsFile));
        net.a.openTunnel(Topology.RELAY_FOR_AGENTS, 51821, RelayTunnel.DEFAULT_KEEPALIVE);
        Topology.await(
            "agent session up",
            Duration.ofSeconds(30),
            () -> net.a.tunnel.status().state() == RelayTunnel.State.UP);
        if (only.contains("a")) {
          throughput(net);
        }
        if (only.contains("c")) {
          sessions(net, 10_000);
        }
      }
    }
    System.exit(0);
  }

  // ------------------------------------------------------------------ (a)

  private static void throughput(Topology net) throws Exception {
    System.out.println("== (a) iperf3 TCP over WireGuard: relay-server vs direct ==");
    net.relayNs.enableForwarding();
    net.jetsonNs.addRoute("10.1.0.0/24", Topology.RELAY_FOR_AGENTS);
    net.jetsonNs.start(
        "iperf3",
        List.of("iperf3", "-s", "-B", Topology.JETSON_A_TUNNEL_IP),
        net.work.resolve("iperf3-server.log"));
    String relayEndpoint = Topology.RELAY_FOR_CLIENTS + ":51820";
    String directEndpoint = "10.2.0.2:51820";
    List<Double> relay = new ArrayList<>();
    List<Double> direct = new ArrayList<>();
    double relayRtt = 0;
    double directRtt = 0;
    for (int round = 0; round < 2; round++) {
      for (boolean viaRelay : new boolean[] {true, false}) {
        net.phoneA.peer(
            net.a.wg.publicKey(), viaRelay ? relayEndpoint : directEndpoint, "10.100.0.0/24");
        net.awaitPing(Topology.JETSON_A_TUNNEL_IP, Duration.ofSeconds(30));
        double rtt = net.rttMillis(Topology.JETSON_A_TUNNEL_IP, 30);
        double bps = iperf(net);
        System.out.printf(
            "  %-6s round %d: %8.1f Mbit/s, ping RTT %.3f ms%n",
            viaRelay ? "relay" : "direct", round + 1, bps / 1e6, rtt);
        if (viaRelay) {
          relay.add(bps);
          relayRtt += rtt / 2;
        } else {
          direct.add(bps);
          directRtt += rtt / 2;
        }
      }
    }
    double r = mean(relay);
    double d = mean(direct);
    System.out.printf(
        "(a) relay %.1f Mbit/s, direct %.1f Mbit/s, ratio relay/direct %.2f; RTT relay %.3f ms,"
            + " direct %.3f ms, added by the relay %.3f ms%n",
        r / 1e6, d / 1e6, r / d, relayRtt, directRtt, relayRtt - directRtt);
  }

  private static double iperf(Topology net) throws Exception {
    for (int attempt = 0; ; attempt++) {
      var result =
          net.clientNs.tryExec("iperf3", "-c", Topology.JETSON_A_TUNNEL_IP, "-t", "10", "-J");
      if (result.ok()) {
        String out = result.output();
        JsonNode root = JSON.readTree(out.substring(out.indexOf('{')));
        double bps = root.path("end").path("sum_received").path("bits_per_second").asDouble();
        if (bps > 0) {
          return bps;
        }
        System.out.println("  iperf3 gave no figure: " + out.substring(0, Math.min(600, out.length())));
      }
      if (attempt >= 5) {
        throw new IllegalStateException("iperf3 failed: " + result.output());
      }
      Thread.sleep(1000);
    }
  }

  private static double mean(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    for (double value : values) {
      sum += value;
    }
    return sum / values.size();
  }

  // ------------------------------------------------------------------ (c)

  private static void sessions(Topology net, int count) throws Exception {
    System.out.printf("== (c) %,d agent sessions held by one relay-server process ==%n", count);
    List<Sim> sims = new ArrayList<>();
    StringBuilder body = new StringBuilder("{\"version\":\"c\",\"jetsons\":[");
    body.append(net.a.json()).append(',').append(net.b.json());
    for (int i = 0; i < count; i++) {
      Sim sim = new Sim(UUID.randomUUID(), bytes(32));
      sims.add(sim);
      body.append(",{\"jetsonId\":\"").append(sim.id)
          .append("\",\"publicKey\":\"").append(Base64.getEncoder().encodeToString(bytes(32)))
          .append("\",\"sessionKey\":\"").append(Base64.getEncoder().encodeToString(sim.key))
          .append("\"}");
    }
    body.append("]}");
    Path tmp = net.work.resolve("jetsons-c.tmp");
    Files.writeString(tmp, body);
    Files.move(tmp, net.jetsonsFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Topology.await("set loaded", Duration.ofSeconds(30),
        () -> net.relay.metric("spoq_relay_jetsons", "") >= count);
    Thread.sleep(5000);
    long pid = net.relay.pid();
    System.out.printf("  RSS with %,d Jetsons in the set and 1 session: %,d MiB%n", count + 2,
        rssKiB(pid) / 1024);

    int perSource = 50;
    int sources = (count + perSource - 1) / perSource;
    StringBuilder batch = new StringBuilder();
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < sources; i++) {
      String ip = "10.2." + (1 + i / 250) + "." + (1 + i % 250);
      addresses.add(ip);
      batch.append("addr add ").append(ip).append("/16 dev ").append(net.jetsonLink.nameB())
          .append('\n');
    }
    net.relayNs.exec("ip", "addr", "add", "10.2.255.254/16", "dev", net.jetsonLink.nameA());
    Path batchFile = net.work.resolve("sim-addresses.batch");
    Files.writeString(batchFile, batch);
    net.jetsonNs.exec("ip", "-batch", batchFile.toString());

    InetSocketAddress relay = new InetSocketAddress("10.2.255.254", 51821);
    long start = System.nanoTime();
    List<DatagramChannel> channels =
        Netns.inside(
            net.jetsonNs,
            () -> {
              List<DatagramChannel> list = new ArrayList<>();
              for (String ip : addresses) {
                DatagramChannel ch = DatagramChannel.open().bind(new InetSocketAddress(ip, 0));
                ch.configureBlocking(false);
                list.add(ch);
              }
              return list;
            });
    for (int i = 0; i < sims.size(); i++) {
      sims.get(i).channel = channels.get(i / perSource);
    }
    establish(sims, relay);
    System.out.printf("  %,d sessions up in %.1f s%n", count,
        (System.nanoTime() - start) / 1e9);
    Topology.await("relay counts the sessions", Duration.ofSeconds(30),
        () -> net.relay.metric("spoq_relay_sessions", "") >= count);

    // Hold them: each session keeps alive every 20 s (the shipped default), spread evenly.
    Duration hold = Duration.ofSeconds(Long.getLong("bench.hold.seconds", 60));
    long cpuBefore = cpuTicks(pid);
    long t0 = System.nanoTime();
    holdSessions(sims, relay, hold);
    double wall = (System.nanoTime() - t0) / 1e9;
    long cpuAfter = cpuTicks(pid);
    double cpuPercent = 100.0 * (cpuAfter - cpuBefore) / 100.0 / wall;
    double live = net.relay.metric("spoq_relay_sessions", "");
    System.out.printf(
        "(c) %,.0f sessions held for %.0f s (keepalive every 20 s each = %,.0f frames/s): relay RSS"
            + " %,d MiB, CPU %.1f %% of one core%n",
        live, wall, count / 20.0, rssKiB(pid) / 1024, cpuPercent);
    for (DatagramChannel ch : channels) {
      ch.close();
    }
  }

  private static void establish(List<Sim> sims, InetSocketAddress relay) throws Exception {
    Map<String, Sim> byNonce = new HashMap<>();
    Map<Long, Sim> bySession = new HashMap<>();
    ByteBuffer in = ByteBuffer.allocate(2048);
    byte[] out = new byte[64];
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    int up = 0;
    java.util.Set<DatagramChannel> allChannels = new java.util.LinkedHashSet<>();
    sims.forEach(sim -> allChannels.add(sim.channel));
    while (up < sims.size()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + up + " sessions came up");
      }
      // Each source says hello at most 5 times a second (under the relay's per-source limit).
      Map<DatagramChannel, Integer> sentPerChannel = new HashMap<>();
      for (Sim sim : sims) {
        if (sim.confirmed) {
          continue;
        }
        if (sim.crypto != null) {
          if (System.nanoTime() - sim.helloAcked < 5_000_000_000L) {
            int n = sim.crypto.seal(RelayFrames.KEEPALIVE, 0, out, 0);
            sim.channel.send(ByteBuffer.wrap(out, 0, n), relay);
            continue;
          }
          sim.crypto = null;
        }
        int sent = sentPerChannel.getOrDefault(sim.channel, 0);
        if (sent >= 5) {
          continue;
        }
        sentPerChannel.put(sim.channel, sent + 1);
        byte[] nonce = bytes(16);
        byNonce.put(HexFormat.of().formatHex(nonce), sim);
        byte[] hello = new RelayFrames.Hello(sim.id, System.currentTimeMillis(), nonce).encode(sim.key);
        sim.channel.send(ByteBuffer.wrap(hello), relay);
      }
      long until = System.nanoTime() + 1_000_000_000L;
      while (System.nanoTime() < until) {
        boolean any = false;
        for (DatagramChannel ch : allChannels) {
          in.clear();
          if (ch.receive(in) == null) {
            continue;
          }
          any = true;
          byte[] frame = java.util.Arrays.copyOf(in.array(), in.position());
          byte type = RelayFrames.type(frame, frame.length);
          if (type == RelayFrames.KEEPALIVE_ACK) {
            Sim sim = bySession.get(RelayFrames.sessionId(frame));
            if (sim != null && !sim.confirmed && sim.crypto.open(frame, frame.length)) {
              sim.confirmed = true;
              up++;
            }
            continue;
          }
          if (type != RelayFrames.HELLO_ACK) {
            continue;
          }
          RelayFrames.HelloAck ack = RelayFrames.HelloAck.peek(frame);
          Sim sim = byNonce.remove(HexFormat.of().formatHex(ack.agentNonce()));
          if (sim == null || sim.crypto != null || !RelayFrames.HelloAck.verify(frame, sim.key)) {
            continue;
          }
          sim.crypto =
              SessionCrypto.agent(sim.key, ack.sessionId(), ack.agentNonce(), ack.relayNonce());
          sim.helloAcked = System.nanoTime();
          bySession.put(ack.sessionId(), sim);
          int n = sim.crypto.seal(RelayFrames.KEEPALIVE, 0, out, 0);
          sim.channel.send(ByteBuffer.wrap(out, 0, n), relay);
        }
        if (!any) {
          Thread.sleep(5);
        }
      }
    }
  }

  private static void holdSessions(List<Sim> sims, InetSocketAddress relay, Duration hold)
      throws Exception {
    byte[] out = new byte[64];
    ByteBuffer in = ByteBuffer.allocate(2048);
    long start = System.nanoTime();
    long end = start + hold.toNanos();
    long interval = Duration.ofSeconds(20).toNanos();
    long spacing = interval / sims.size();
    long next = start;
    int i = 0;
    java.util.Set<DatagramChannel> channels = new java.util.LinkedHashSet<>();
    sims.forEach(s -> channels.add(s.channel));
    while (System.nanoTime() < end) {
      long now = System.nanoTime();
      while (next <= now) {
        Sim sim = sims.get(i++ % sims.size());
        int n = sim.crypto.seal(RelayFrames.KEEPALIVE, 0, out, 0);
        sim.channel.send(ByteBuffer.wrap(out, 0, n), relay);
        next += spacing;
      }
      for (DatagramChannel ch : channels) {
        in.clear();
        while (ch.receive(in) != null) {
          in.clear();
        }
      }
      Thread.sleep(10);
    }
  }

  private static long rssKiB(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D", ""));
      }
    }
    return -1;
  }

  /** utime + stime in clock ticks (100 per second). */
  private static long cpuTicks(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static final class Sim {
    final UUID id;
    final byte[] key;
    DatagramChannel channel;
    SessionCrypto crypto;
    long helloAcked;
    boolean confirmed;

    Sim(UUID id, byte[] key) {
      this.id = id;
      this.key = key;
    }
  }
}
