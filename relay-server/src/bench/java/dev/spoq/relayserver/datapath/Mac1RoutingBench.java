package dev.spoq.relayserver.datapath;

import dev.spoq.relay.protocol.Mac1;
import dev.spoq.relay.protocol.WireGuardMessages;
import dev.spoq.relayserver.config.RelayProperties;
import dev.spoq.relayserver.jetsons.JetsonSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Benchmark (b): the cost of finding an initiation's Jetson by mac1 with 1,000 and 10,000 Jetsons
 * on one relay, for unknown sources (a scan) and known sources (their own Jetson only). Runs the
 * relay's own routing code in-process, with the relay-wide scan limit lifted so the CPU cost shows.
 */
public final class Mac1RoutingBench {

  private static final SecureRandom random = new SecureRandom();

  private Mac1RoutingBench() {}

  /** Runs in its own JVM with the systemd unit's flags (see RelayBench). */
  public static void main(String[] args) throws Exception {
    run();
  }

  public static void run() throws Exception {
    System.out.println("== (b) mac1 routing cost (one client-port thread) ==");
    for (int n : new int[] {1_000, 10_000}) {
      bench(n);
    }
  }

  private static void bench(int n) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Relay relay = new Relay(properties(), meters);
    List<JetsonSet.Jetson> jetsons = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jetsons.add(new JetsonSet.Jetson(UUID.randomUUID(), bytes(32), bytes(32)));
    }
    relay.apply(new JetsonSet("bench", jetsons));
    int variants = 512;
    byte[][] initiations = new byte[variants][];
    for (int i = 0; i < variants; i++) {
      initiations[i] = initiation(jetsons.get(random.nextInt(n)).publicKey());
    }
    byte[] unmatched = initiation(bytes(32));
    int iterations = n >= 10_000 ? 4_000 : 20_000;
    // warm-up
    measure(relay, initiations, iterations / 2, false);
    double[] hit = measure(relay, initiations, iterations, false);
    double[] miss = measure(relay, new byte[][] {unmatched}, iterations / 4, false);
    double scansBefore = meters.get("spoq.relay.initiations").tag("route", "scan").counter().count();
    for (int i = 0; i < variants; i++) {
      relay.sourceHints.put(source(i), relay.routeInitiation(initiations[i], 24, source(-1 - i), System.nanoTime()));
    }
    scansBefore = meters.get("spoq.relay.initiations").tag("route", "scan").counter().count();
    double[] known = measure(relay, initiations, 200_000, true);
    double scansAfter = meters.get("spoq.relay.initiations").tag("route", "scan").counter().count();
    System.out.printf(
        "%,6d Jetsons: unknown source, match:    %,10.0f initiations/s  p50 %8.1f us  p99 %8.1f us%n",
        n, hit[0], hit[1], hit[2]);
    System.out.printf(
        "%,6d Jetsons: unknown source, no match: %,10.0f initiations/s  p50 %8.1f us  p99 %8.1f us%n",
        n, miss[0], miss[1], miss[2]);
    System.out.printf(
        "%,6d Jetsons: known source:             %,10.0f initiations/s  p50 %8.1f us  p99 %8.1f us"
            + "  (scans during known-source run: %.0f)%n",
        n, known[0], known[1], known[2], scansAfter - scansBefore);
    relay.close();
  }

  /** {rate per second, p50 us, p99 us}. */
  private static double[] measure(Relay relay, byte[][] initiations, int iterations, boolean known) {
    long[] nanos = new long[iterations];
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      int v = i % initiations.length;
      byte[] buf = initiations[v];
      InetSocketAddress from = known ? source(v) : source(1_000_000 + i);
      long t0 = System.nanoTime();
      relay.routeInitiation(buf, 24, from, t0);
      nanos[i] = System.nanoTime() - t0;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Arrays.sort(nanos);
    return new double[] {
      iterations / seconds, nanos[iterations / 2] / 1e3, nanos[(int) (iterations * 0.99)] / 1e3
    };
  }

  private static InetSocketAddress source(int i) {
    byte[] ip = {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), 40000 + (i & 0xfff));
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A handshake initiation for {@code publicKey}, placed at offset 24 like the datapath does. */
  private static byte[] initiation(byte[] publicKey) {
    byte[] buf = new byte[24 + WireGuardMessages.INITIATION_SIZE + 16];
    byte[] body = bytes(WireGuardMessages.INITIATION_SIZE);
    body[0] = 1;
    body[1] = 0;
    body[2] = 0;
    body[3] = 0;
    byte[] mac1 = new Mac1(publicKey).compute(body, 0);
    System.arraycopy(mac1, 0, body, WireGuardMessages.INITIATION_MAC1_OFFSET, 16);
    System.arraycopy(body, 0, buf, 24, body.length);
    return buf;
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  static RelayProperties properties() {
    return new RelayProperties(
        "127.0.0.1",
        51820,
        51821,
        new RelayProperties.Coordinator(null, null, null, Duration.ofSeconds(25), Duration.ofSeconds(10)),
        null,
        new RelayProperties.Limits(
            1_000_000,
            1_000_000,
            Integer.MAX_VALUE,
            20,
            5,
            Duration.ofSeconds(30),
            262_144,
            524_288,
            4096,
            100_000,
            Duration.ofMinutes(5),
            Duration.ofMinutes(5),
            Duration.ofSeconds(90)));
  }
}
