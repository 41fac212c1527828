package dev.spoq.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tunnel against a minimal relay built from this module's own frames, and a UDP echo standing
 * in for the local WireGuard port (the real relay-server and wireguard-go are exercised by
 * relay-server's integration tests).
 */
class RelayTunnelTest {

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final UUID jetsonId = UUID.randomUUID();
  private final byte[] sessionKey = SessionKeys.derive("spoq_rly_" + jetsonId);
  private TinyRelay relay;
  private Echo echo;
  private RelayTunnel tunnel;

  @AfterEach
  void tearDown() {
    if (tunnel != null) {
      tunnel.close();
    }
    if (relay != null) {
      relay.close();
    }
    if (echo != null) {
      echo.close();
    }
  }

  @Test
  void comesUpForwardsEachFlowThroughItsOwnLocalSocketAndCounts() throws Exception {
    relay = new TinyRelay(sessionKey);
    echo = new Echo();
    tunnel = RelayTunnel.open(config(Duration.ofSeconds(1)));
    await(() -> tunnel.status().state() == RelayTunnel.State.UP);
    assertThat(tunnel.status().upSince()).isNotNull();

    relay.sendData(7, "hello from client 7");
    relay.sendData(8, "hello from client 8");
    assertThat(relay.received.poll(5, TimeUnit.SECONDS)).isNotNull();
    assertThat(relay.received.poll(5, TimeUnit.SECONDS)).isNotNull();
    assertThat(relay.seenFlows).containsExactlyInAnyOrder(7, 8);
    assertThat(echo.sources).hasSize(2);

    RelayTunnel.Status status = tunnel.status();
    assertThat(status.clients()).isEqualTo(2);
    assertThat(status.bytesToJetson()).isEqualTo(38);
    assertThat(status.bytesFromJetson()).isEqualTo(38);
    assertThat(status.lastHeardFromRelay()).isNotNull();
  }

  @Test
  void aRelayWithoutTheSessionKeyNeverBringsItUp() throws Exception {
    relay = new TinyRelay(SessionKeys.derive("spoq_rly_someone-else"));
    echo = new Echo();
    tunnel = RelayTunnel.open(config(Duration.ofSeconds(1)));
    await(() -> relay.hellosSeen >= 2);
    assertThat(tunnel.status().state()).isEqualTo(RelayTunnel.State.CONNECTING);
    assertThat(relay.sessions).isZero();
  }

  @Test
  void goesDownWhenTheRelayFallsSilentAndReconnectsWithANewSession() throws Exception {
    relay = new TinyRelay(sessionKey);
    echo = new Echo();
    tunnel = RelayTunnel.open(config(Duration.ofSeconds(1)));
    await(() -> tunnel.status().state() == RelayTunnel.State.UP);
    relay.silent = true;
    await(() -> tunnel.status().state() == RelayTunnel.State.DOWN);
    assertThat(tunnel.status().lastError()).contains("no answer");
    relay.silent = false;
    await(() -> tunnel.status().state() == RelayTunnel.State.UP);
    assertThat(relay.sessions).isEqualTo(2);
  }

  private RelayTunnel.Config config(Duration keepalive) {
    return new RelayTunnel.Config(
        new InetSocketAddress(LOOPBACK, relay.port()),
        jetsonId,
        sessionKey,
        new InetSocketAddress(LOOPBACK, echo.port()),
        keepalive);
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 15 s");
      }
      Thread.sleep(20);
    }
  }

  /** Answers hellos and keepalives, and records DATA frames from the tunnel. */
  private static final class TinyRelay implements AutoCloseable {
    final DatagramSocket socket;
    final byte[] key;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final Set<Integer> seenFlows = ConcurrentHashMap.newKeySet();
    final Thread thread;
    volatile boolean silent;
    volatile int hellosSeen;
    volatile int sessions;
    volatile SessionCrypto crypto;
    volatile InetSocketAddress agent;

    TinyRelay(byte[] key) throws Exception {
      this.key = key;
      socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
      socket.setSoTimeout(100);
      thread = new Thread(this::run);
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    void run() {
      byte[] buf = new byte[2048];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (SocketTimeoutException e) {
          continue;
        } catch (Exception e) {
          return;
        }
        if (silent) {
          continue;
        }
        byte type = RelayFrames.type(buf, p.getLength());
        try {
          if (type == RelayFrames.HELLO) {
            hellosSeen++;
            if (!RelayFrames.Hello.verify(buf, key)) {
              continue;
            }
            RelayFrames.Hello hello = RelayFrames.Hello.peek(buf);
            byte[] relayNonce = new byte[16];
            Arrays.fill(relayNonce, (byte) sessions);
            long id = 100 + sessions++;
            crypto = SessionCrypto.relay(key, id, hello.agentNonce(), relayNonce);
            agent = (InetSocketAddress) p.getSocketAddress();
            byte[] ack = new RelayFrames.HelloAck(id, relayNonce, hello.agentNonce()).encode(key);
            socket.send(new DatagramPacket(ack, ack.length, agent));
          } else if (crypto != null && crypto.open(buf, p.getLength())) {
            if (type == RelayFrames.KEEPALIVE) {
              byte[] out = new byte[64];
              int len = crypto.seal(RelayFrames.KEEPALIVE_ACK, 0, out, 0);
              socket.send(new DatagramPacket(out, len, agent));
            } else if (type == RelayFrames.DATA) {
              seenFlows.add(RelayFrames.flowId(buf));
              received.add(
                  new String(
                      buf,
                      RelayFrames.HEADER,
                      p.getLength() - RelayFrames.OVERHEAD,
                      StandardCharsets.UTF_8));
            }
          }
        } catch (Exception e) {
          return;
        }
      }
    }

    void sendData(int flowId, String text) throws Exception {
      byte[] payload = text.getBytes(StandardCharsets.UTF_8);
      byte[] out = new byte[payload.length + RelayFrames.OVERHEAD];
      System.arraycopy(payload, 0, out, RelayFrames.HEADER, payload.length);
      int len = crypto.seal(RelayFrames.DATA, flowId, out, payload.length);
      socket.send(new DatagramPacket(out, len, agent));
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  /** Echoes each datagram to its sender and remembers the senders. */
  private static final class Echo implements AutoCloseable {
    final DatagramSocket socket;
    final Set<InetSocketAddress> sources = ConcurrentHashMap.newKeySet();

    Echo() throws Exception {
      socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[2048];
                while (!socket.isClosed()) {
                  DatagramPacket p = new DatagramPacket(buf, buf.length);
                  try {
                    socket.receive(p);
                    sources.add((InetSocketAddress) p.getSocketAddress());
                    socket.send(p);
                  } catch (Exception e) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
