package dev.spoq.testsupport.frp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.node.ObjectNode;

/**
 * A STAND-IN for frpc (frp's client), because frp cannot be installed on the build machines. It
 * speaks frp's control messages ({@link FrpWire}) the way frpc 0.61 does for a Spoq Jetson: Login
 * with the token's {@code privilege_key} and {@code metas}, one {@code udp} proxy (NewProxy), a
 * Ping every {@code heartbeatInterval}, and a work connection (NewWorkConn) for each ReqWorkConn.
 * Without yamux and without the control stream's encryption (see {@link FrpsStandIn}).
 *
 * <p>{@link Mode#STOCK} closes its session on an error Pong, as frp's {@code client/control.go}
 * does. {@link Mode#IGNORES_ERROR_PONGS} is an uncooperative frpc: it keeps its session and keeps
 * pinging, so only frps's {@code transport.heartbeatTimeout} can end it.
 */
public final class FrpcStandIn implements AutoCloseable {

  public enum Mode {
    STOCK,
    IGNORES_ERROR_PONGS
  }

  /**
   * @param metas frpc's {@code metadatas} (Spoq: {@code spoq_relay_credential})
   * @param poolCount frpc's {@code transport.poolCount} (frp's default 1)
   */
  public record Options(
      String authToken,
      Map<String, String> metas,
      String proxyName,
      int remotePort,
      Duration heartbeatInterval,
      int poolCount,
      Mode mode) {}

  /** frps refused the Login or the NewProxy; {@code getMessage()} is frps's error text. */
  public static final class Refused extends IOException {
    Refused(String message) {
      super(message);
    }
  }

  private final Options options;
  private final InetSocketAddress frps;
  private final Socket control;
  private final OutputStream out;
  private final String runId;
  private final AtomicInteger okPongs = new AtomicInteger();
  private final List<String> errorPongs = new CopyOnWriteArrayList<>();
  private final AtomicInteger refusedWorkConns = new AtomicInteger();
  private final List<Socket> workConns = new CopyOnWriteArrayList<>();
  private volatile Instant closedAt;
  private volatile boolean closedByUs;

  private FrpcStandIn(InetSocketAddress frps, Options options) throws IOException {
    this.frps = frps;
    this.options = options;
    this.control = new Socket();
    control.connect(frps, 5000);
    control.setSoTimeout(30_000);
    this.out = control.getOutputStream();
    InputStream in = control.getInputStream();
    long now = Instant.now().getEpochSecond();
    ObjectNode login = FrpWire.object();
    login.put("version", "0.61.2");
    login.put("hostname", "");
    login.put("os", "linux");
    login.put("arch", "arm64");
    login.put("privilege_key", FrpWire.privilegeKey(options.authToken(), now));
    login.put("timestamp", now);
    ObjectNode metas = login.putObject("metas");
    options.metas().forEach(metas::put);
    login.put("pool_count", options.poolCount());
    FrpWire.write(out, FrpWire.LOGIN, login);
    FrpWire.Message resp = FrpWire.read(in);
    if (resp.type() != FrpWire.LOGIN_RESP || !resp.text("error").isEmpty()) {
      FrpsStandIn.closeQuietly(control);
      throw new Refused(resp.text("error"));
    }
    this.runId = resp.text("run_id");
    ObjectNode proxy = FrpWire.object();
    proxy.put("proxy_name", options.proxyName());
    proxy.put("proxy_type", "udp");
    proxy.put("remote_port", options.remotePort());
    FrpWire.write(out, FrpWire.NEW_PROXY, proxy);
    FrpWire.Message proxyResp;
    do {
      proxyResp = FrpWire.read(in);
      if (proxyResp.type() == FrpWire.REQ_WORK_CONN) {
        openWorkConn();
      }
    } while (proxyResp.type() != FrpWire.NEW_PROXY_RESP);
    if (!proxyResp.text("error").isEmpty()) {
      FrpsStandIn.closeQuietly(control);
      throw new Refused(proxyResp.text("error"));
    }
    control.setSoTimeout(0);
    FrpsStandIn.daemon("frpc-stand-in-reader", () -> readLoop(in));
    FrpsStandIn.daemon("frpc-stand-in-heartbeat", this::heartbeatLoop);
  }

  /** Logs in, opens the proxy, and starts heartbeats; {@link Refused} when frps refuses. */
  public static FrpcStandIn login(InetSocketAddress frps, Options options) throws IOException {
    return new FrpcStandIn(frps, options);
  }

  public String runId() {
    return runId;
  }

  /** Pongs without an error. */
  public int okPongs() {
    return okPongs.get();
  }

  /** The error texts of error Pongs, in order. */
  public List<String> errorPongs() {
    return List.copyOf(errorPongs);
  }

  public int refusedWorkConns() {
    return refusedWorkConns.get();
  }

  /** True while the control connection is up. */
  public boolean open() {
    return closedAt == null;
  }

  /** When the control connection ended (by frps, or by this frpc on an error Pong), else null. */
  public Instant closedAt() {
    return closedAt;
  }

  /** True when this frpc ended the session itself (STOCK mode on an error Pong, or close()). */
  public boolean closedByUs() {
    return closedByUs;
  }

  @Override
  public void close() {
    closedByUs = true;
    ended();
    workConns.forEach(FrpsStandIn::closeQuietly);
  }

  private void ended() {
    synchronized (this) {
      if (closedAt == null) {
        closedAt = Instant.now();
      }
    }
    FrpsStandIn.closeQuietly(control);
  }

  private void readLoop(InputStream in) {
    try {
      while (true) {
        FrpWire.Message m = FrpWire.read(in);
        switch (m.type()) {
          case FrpWire.PONG -> {
            if (m.text("error").isEmpty()) {
              okPongs.incrementAndGet();
            } else {
              errorPongs.add(m.text("error"));
              if (options.mode() == Mode.STOCK) {
                // frp's client/control.go: "pong message contains error" -> closeSession()
                close();
                return;
              }
            }
          }
          case FrpWire.REQ_WORK_CONN -> openWorkConn();
          default -> {}
        }
      }
    } catch (IOException e) {
      ended();
    }
  }

  /**
   * Sends one Ping now, besides the periodic ones (the same message; lets a test probe how frps
   * answers at a given moment without waiting a whole heartbeat interval).
   */
  public void pingNow() throws IOException {
    long now = Instant.now().getEpochSecond();
    ObjectNode ping = FrpWire.object();
    ping.put("privilege_key", FrpWire.privilegeKey(options.authToken(), now));
    ping.put("timestamp", now);
    FrpWire.write(out, FrpWire.PING, ping);
  }

  private void heartbeatLoop() {
    while (open()) {
      try {
        Thread.sleep(options.heartbeatInterval().toMillis());
        pingNow();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (IOException e) {
        ended();
        return;
      }
    }
  }

  private void openWorkConn() {
    FrpsStandIn.daemon(
        "frpc-stand-in-work",
        () -> {
          try {
            Socket work = new Socket();
            work.connect(frps, 5000);
            workConns.add(work);
            long now = Instant.now().getEpochSecond();
            ObjectNode m = FrpWire.object();
            m.put("run_id", runId);
            m.put("privilege_key", FrpWire.privilegeKey(options.authToken(), now));
            m.put("timestamp", now);
            FrpWire.write(work.getOutputStream(), FrpWire.NEW_WORK_CONN, m);
            FrpWire.Message start = FrpWire.read(work.getInputStream());
            if (start.type() == FrpWire.START_WORK_CONN && !start.text("error").isEmpty()) {
              refusedWorkConns.incrementAndGet();
            }
          } catch (IOException e) {
            // the work connection ended (frps closed it, or this frpc closed)
          }
        });
  }
}
