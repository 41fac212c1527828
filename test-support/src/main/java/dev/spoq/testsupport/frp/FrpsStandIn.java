package dev.spoq.testsupport.frp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A STAND-IN for frps (frp's server), because frp cannot be installed on the build machines. It is
 * not frps: it speaks frp's control messages ({@link FrpWire}: Login/LoginResp, NewProxy/
 * NewProxyResp, Ping/Pong, CloseProxy, ReqWorkConn/NewWorkConn/StartWorkConn) and reproduces the
 * behaviour of frp's {@code server/service.go} and {@code server/control.go} that Spoq relies on:
 *
 * <ul>
 *   <li>every op listed in the config's {@code [[httpPlugins]] ops} is POSTed to the plugin exactly
 *       as frp's {@code pkg/plugin/server/http.go} does: {@code addr + path +
 *       "?op=..&version=0.1.0"} (Go's {@code url.Values.Encode} orders the keys), header {@code
 *       X-Frp-Reqid}, body {@code {"version":"0.1.0","op":..,"content":{..}}} with frp's content
 *       shapes (Login fields plus {@code client_address}; the others {@code user: {user, metas,
 *       run_id}} plus their message); a non-200 answer, a failed call or {@code reject: true}
 *       refuses the op;
 *   <li>the plugin sees a Login BEFORE the {@code auth.token} check ({@code privilege_key =
 *       md5(token + timestamp)});
 *   <li>a refused Ping gets an error Pong and does not move {@code lastPing}; with {@code
 *       transport.heartbeatTimeout > 0} a control whose last accepted Ping is older than that is
 *       closed (checked every second), then CloseProxy is sent to the plugin for its proxies;
 *   <li>a NewWorkConn needs a live control with its {@code run_id}; a refused one gets a
 *       StartWorkConn with the error and is closed.
 * </ul>
 *
 * What it leaves out: yamux (tcpMux) and the token-keyed encryption frps puts on the control stream
 * after LoginResp (they change framing, not decisions), opening the proxies' remote ports, {@code
 * allowPorts}, and content rewriting by a plugin ({@code unchange: false}; Spoq's plugin always
 * answers {@code unchange: true}). Its plugin HTTP client times out after 30 s (Go's default
 * transport has no overall timeout; only its 30 s dial timeout).
 */
public final class FrpsStandIn implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FrpsStandIn.class);
  private static final String VERSION = "0.61.2";
  private static final int MAX_POOL_COUNT = 5;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One plugin call as frps made it, with its outcome ({@code refusal} null = allowed). */
  public record PluginCall(String op, String runId, Instant at, String refusal) {}

  /** One frpc control connection (a logged-in frpc). */
  public final class Session {
    private final String runId;
    private final JsonNode login;
    private final Socket socket;
    private final List<String> proxies = new CopyOnWriteArrayList<>();
    private volatile Instant lastPing = Instant.now();
    private volatile Instant closedAt;
    private volatile String closeReason;

    private Session(String runId, JsonNode login, Socket socket) {
      this.runId = runId;
      this.login = login;
      this.socket = socket;
    }

    public String runId() {
      return runId;
    }

    public Instant lastPing() {
      return lastPing;
    }

    public boolean open() {
      return closedAt == null;
    }

    public Instant closedAt() {
      return closedAt;
    }

    /** Why frps closed it: "heartbeat timeout", "client closed"... */
    public String closeReason() {
      return closeReason;
    }

    public List<String> proxies() {
      return List.copyOf(proxies);
    }

    private ObjectNode userInfo() {
      ObjectNode user = FrpWire.object();
      user.put("user", login.path("user").asString(""));
      user.set("metas", login.get("metas"));
      user.put("run_id", runId);
      return user;
    }

    private void close(String reason) {
      synchronized (this) {
        if (closedAt != null) {
          return;
        }
        closedAt = Instant.now();
        closeReason = reason;
      }
      log.info("frps stand-in: control {} closed: {}", runId, reason);
      closeQuietly(socket);
      sessions.remove(runId, this);
      for (String proxy : proxies) {
        ObjectNode content = FrpWire.object();
        content.set("user", userInfo());
        content.put("proxy_name", proxy);
        daemon("frps-stand-in-close", () -> plugin("CloseProxy", runId, content));
      }
    }
  }

  private final FrpsConfig config;
  private final ServerSocket server;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(30))
          .version(HttpClient.Version.HTTP_1_1)
          .build();
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final List<PluginCall> pluginCalls = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "frps-stand-in-heartbeat");
            t.setDaemon(true);
            return t;
          });

  private FrpsStandIn(FrpsConfig config) throws IOException {
    this.config = config;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon("frps-stand-in-accept", this::acceptLoop);
    if (!config.heartbeatTimeout().isNegative() && !config.heartbeatTimeout().isZero()) {
      heartbeat.scheduleAtFixedRate(this::checkHeartbeats, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** Starts listening on a free loopback port (frps's {@code bindPort}). */
  public static FrpsStandIn start(FrpsConfig config) {
    try {
      return new FrpsStandIn(config);
    } catch (IOException e) {
      throw new IllegalStateException("frps stand-in cannot listen", e);
    }
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  public FrpsConfig config() {
    return config;
  }

  /** The live control of that run id. */
  public Optional<Session> session(String runId) {
    return Optional.ofNullable(sessions.get(runId));
  }

  public List<PluginCall> pluginCalls() {
    return List.copyOf(pluginCalls);
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    closeQuietly(server);
    sessions.values().forEach(s -> s.close("frps stopped"));
    sockets.forEach(FrpsStandIn::closeQuietly);
  }

  private void checkHeartbeats() {
    Instant limit = Instant.now().minus(config.heartbeatTimeout());
    for (Session session : sessions.values()) {
      if (session.lastPing.isBefore(limit)) {
        log.warn("frps stand-in: control {}: heartbeat timeout", session.runId);
        session.close("heartbeat timeout");
      }
    }
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        daemon("frps-stand-in-control", () -> handle(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void handle(Socket socket) {
    Session session = null;
    try {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      FrpWire.Message first = FrpWire.read(in);
      switch (first.type()) {
        case FrpWire.LOGIN -> session = login(socket, first, out);
        case FrpWire.NEW_WORK_CONN -> {
          newWorkConn(socket, first, out);
          return;
        }
        default -> {
          closeQuietly(socket);
          return;
        }
      }
      if (session == null) {
        return;
      }
      while (session.open()) {
        FrpWire.Message m = FrpWire.read(in);
        switch (m.type()) {
          case FrpWire.NEW_PROXY -> newProxy(session, m, out);
          case FrpWire.PING -> ping(session, m, out);
          case FrpWire.CLOSE_PROXY -> session.proxies.remove(m.text("proxy_name"));
          default -> log.debug("frps stand-in: ignoring message type {}", m.type());
        }
      }
    } catch (IOException e) {
      if (session != null) {
        session.close("client closed");
      } else {
        closeQuietly(socket);
      }
    }
  }

  private Session login(Socket socket, FrpWire.Message m, OutputStream out) throws IOException {
    ObjectNode content = ((ObjectNode) m.body()).deepCopy();
    content.put(
        "client_address", socket.getRemoteSocketAddress().toString().replaceFirst("^/", ""));
    String refusal = plugin("Login", m.text("run_id"), content);
    if (refusal == null
        && !FrpWire.privilegeKey(config.authToken(), m.body().path("timestamp").asLong())
            .equals(m.text("privilege_key"))) {
      refusal = "token in login doesn't match token from configuration";
    }
    if (refusal != null) {
      ObjectNode resp = FrpWire.object();
      resp.put("version", VERSION);
      resp.put("error", errorText("register control error", refusal));
      FrpWire.write(out, FrpWire.LOGIN_RESP, resp);
      closeQuietly(socket);
      return null;
    }
    String runId = m.text("run_id").isEmpty() ? randomId() : m.text("run_id");
    Session session = new Session(runId, m.body(), socket);
    Session old = sessions.put(runId, session);
    if (old != null) {
      old.close("replaced by a new login with the same run_id");
    }
    ObjectNode resp = FrpWire.object();
    resp.put("version", VERSION);
    resp.put("run_id", runId);
    FrpWire.write(out, FrpWire.LOGIN_RESP, resp);
    int pool = Math.min(m.body().path("pool_count").asInt(0), MAX_POOL_COUNT);
    for (int i = 0; i < pool; i++) {
      FrpWire.write(out, FrpWire.REQ_WORK_CONN, FrpWire.object());
    }
    return session;
  }

  private void newProxy(Session session, FrpWire.Message m, OutputStream out) throws IOException {
    ObjectNode content = ((ObjectNode) m.body()).deepCopy();
    content.set("user", session.userInfo());
    String name = m.text("proxy_name");
    String refusal = plugin("NewProxy", session.runId, content);
    ObjectNode resp = FrpWire.object();
    resp.put("proxy_name", name);
    if (refusal != null) {
      resp.put("error", errorText("new proxy [" + name + "] error", refusal));
    } else {
      session.proxies.add(name);
      resp.put("remote_addr", ":" + m.body().path("remote_port").asInt());
    }
    FrpWire.write(out, FrpWire.NEW_PROXY_RESP, resp);
  }

  private void ping(Session session, FrpWire.Message m, OutputStream out) throws IOException {
    ObjectNode content = ((ObjectNode) m.body()).deepCopy();
    content.set("user", session.userInfo());
    String refusal = plugin("Ping", session.runId, content);
    ObjectNode pong = FrpWire.object();
    if (refusal != null) {
      log.warn("frps stand-in: control {}: received invalid ping: {}", session.runId, refusal);
      pong.put("error", errorText("invalid ping", refusal));
    } else {
      session.lastPing = Instant.now();
    }
    FrpWire.write(out, FrpWire.PONG, pong);
  }

  private void newWorkConn(Socket socket, FrpWire.Message m, OutputStream out) throws IOException {
    Session session = sessions.get(m.text("run_id"));
    String refusal;
    if (session == null) {
      refusal = "no client control found for run id [" + m.text("run_id") + "]";
    } else {
      ObjectNode content = ((ObjectNode) m.body()).deepCopy();
      content.set("user", session.userInfo());
      refusal = plugin("NewWorkConn", session.runId, content);
    }
    if (refusal != null) {
      ObjectNode start = FrpWire.object();
      start.put("error", errorText("invalid NewWorkConn", refusal));
      FrpWire.write(out, FrpWire.START_WORK_CONN, start);
      closeQuietly(socket);
    }
    // accepted: frps pools the work connection until a user connection needs it
  }

  /** Calls the plugin for {@code op} (when configured): null when allowed, else the refusal. */
  private String plugin(String op, String runId, ObjectNode content) {
    if (!config.pluginOps().contains(op)) {
      return null;
    }
    ObjectNode body = FrpWire.object();
    body.put("version", "0.1.0");
    body.put("op", op);
    body.set("content", content);
    String refusal;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(config.pluginUrl() + "?op=" + op + "&version=0.1.0"))
              .timeout(Duration.ofSeconds(30))
              .header("X-Frp-Reqid", randomId().substring(0, 8))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(FrpWire.JSON.writeValueAsBytes(body)))
              .build();
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        refusal = "send " + op + " request to plugin error";
        log.warn(
            "frps stand-in: plugin {}: do http request error code: {}", op, response.statusCode());
      } else {
        JsonNode answer = FrpWire.JSON.readTree(response.body());
        refusal =
            answer.path("reject").asBoolean(false)
                ? answer.path("reject_reason").asString("")
                : null;
      }
    } catch (IOException | RuntimeException e) {
      log.warn("frps stand-in: plugin {} call failed: {}", op, e.toString());
      refusal = "send " + op + " request to plugin error";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      refusal = "send " + op + " request to plugin error";
    }
    pluginCalls.add(new PluginCall(op, runId, Instant.now(), refusal));
    return refusal;
  }

  /** frp's {@code util.GenerateResponseErrorString}. */
  private String errorText(String summary, String detail) {
    return config.detailedErrorsToClient() ? summary + ": " + detail : summary;
  }

  private static String randomId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  static void daemon(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
  }

  static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
