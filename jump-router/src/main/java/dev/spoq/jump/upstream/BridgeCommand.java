package dev.spoq.jump.upstream;

import dev.spoq.common.registry.ContainerRoute;
import dev.spoq.common.registry.RegistryUnavailableException;
import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.auth.RegistryLookups;
import dev.spoq.jump.session.RouterSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.apache.sshd.client.channel.ChannelShell;
import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.channel.PtyCapableChannelSession;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.channel.Channel;
import org.apache.sshd.common.channel.PtyChannelConfiguration;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.Signal;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Direct login: one user channel (shell, exec or the sftp subsystem) bridged to a channel of the
 * same kind on the user's container, over the router's upstream SSH session. PTY request and window
 * changes, a safe subset of the environment, signals, stdin/stdout/stderr with EOF, exit status and
 * exit signal all pass through.
 */
final class BridgeCommand implements Command {

  enum Kind {
    SHELL,
    EXEC,
    SUBSYSTEM
  }

  private static final Logger log = LoggerFactory.getLogger(BridgeCommand.class);
  private static final int BUFFER = 32 * 1024;
  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration EXIT_WAIT = Duration.ofSeconds(10);

  private final Kind kind;
  private final String argument;
  private final UpstreamConnector connector;
  private final RegistryLookups lookups;
  private final AuditTrail audit;
  private final ExecutorService pumps;
  private final AtomicBoolean exited = new AtomicBoolean();
  private InputStream in;
  private OutputStream out;
  private OutputStream err;
  private ExitCallback exitCallback;
  private volatile ClientChannel upstreamChannel;

  BridgeCommand(
      Kind kind,
      String argument,
      UpstreamConnector connector,
      RegistryLookups lookups,
      AuditTrail audit,
      ExecutorService pumps) {
    this.kind = kind;
    this.argument = argument;
    this.connector = connector;
    this.lookups = lookups;
    this.audit = audit;
    this.pumps = pumps;
  }

  @Override
  public void setInputStream(InputStream in) {
    this.in = in;
  }

  @Override
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  @Override
  public void setErrorStream(OutputStream err) {
    this.err = err;
  }

  @Override
  public void setExitCallback(ExitCallback callback) {
    this.exitCallback = callback;
  }

  @Override
  public void start(ChannelSession channel, Environment env) {
    pumps.execute(() -> run(channel, env));
  }

  private void run(ChannelSession channel, Environment env) {
    RouterSession state = RouterSession.of(channel.getSession());
    String user = channel.getSession().getUsername();
    String target = "container-" + user;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("channel", kind.name().toLowerCase());
    if (kind == Kind.SUBSYSTEM) {
      details.put("subsystem", argument);
    }
    ClientChannel upstream;
    try {
      ContainerRoute route =
          lookups
              .route(user)
              .orElseThrow(() -> new Refusal("no container is registered for " + user));
      details.put("route", route.host() + ":" + route.port());
      ClientSession session =
          state.upstream(ClientSession.class, () -> connector.open(route, user));
      upstream = createChannel(session, env);
      upstream.open().verify(OPEN_TIMEOUT);
    } catch (Refusal | RegistryUnavailableException e) {
      details.put("reason", e.getMessage());
      audit.record(state.actor(), "ssh.login.denied", target, state.sourceIp(), "DENIED", details);
      fail(e.getMessage(), 1);
      return;
    } catch (IOException | RuntimeException e) {
      String reason = describe(e);
      details.put("reason", reason);
      log.warn("direct login of {} to its container failed: {}", user, reason);
      audit.record(
          state.actor(), "ssh.login.failure", target, state.sourceIp(), "FAILURE", details);
      fail("cannot reach your container: " + reason, 255);
      return;
    }
    upstreamChannel = upstream;
    audit.record(state.actor(), "ssh.login.upstream", target, state.sourceIp(), "SUCCESS", details);
    env.addSignalListener((ch, signal) -> forwardSignal(upstream, env, signal));
    try {
      Future<?> stdin =
          pumps.submit(() -> pump(in, upstream.getInvertedIn(), state::addClientToTarget, true));
      Future<?> stderr =
          pumps.submit(() -> pump(upstream.getInvertedErr(), err, state::addTargetToClient, false));
      pump(upstream.getInvertedOut(), out, state::addTargetToClient, false);
      try {
        stderr.get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception ignored) {
        // stderr still open after stdout ended: go on with the exit status
      }
      upstream.waitFor(
          EnumSet.of(
              ClientChannelEvent.EXIT_STATUS,
              ClientChannelEvent.EXIT_SIGNAL,
              ClientChannelEvent.CLOSED),
          EXIT_WAIT);
      if (!stdin.isDone()) {
        stdin.cancel(true);
      }
      finish(channel, upstream.getExitStatus(), upstream.getExitSignal());
    } finally {
      upstream.close(false);
    }
  }

  private ClientChannel createChannel(ClientSession session, Environment env) throws IOException {
    Map<String, String> safeEnv = safeEnvironment(env.getEnv());
    boolean pty = env.getEnv().containsKey(Environment.ENV_COLUMNS);
    PtyChannelConfiguration ptyConfig = new PtyChannelConfiguration();
    if (pty) {
      ptyConfig.setPtyType(env.getEnv().getOrDefault(Environment.ENV_TERM, "vt100"));
      ptyConfig.setPtyColumns(intOf(env.getEnv().get(Environment.ENV_COLUMNS), 80));
      ptyConfig.setPtyLines(intOf(env.getEnv().get(Environment.ENV_LINES), 24));
      ptyConfig.setPtyModes(env.getPtyModes());
    }
    switch (kind) {
      case SHELL -> {
        ChannelShell shell = session.createShellChannel(ptyConfig, safeEnv);
        shell.setUsePty(pty);
        return shell;
      }
      case EXEC -> {
        PtyCapableChannelSession exec = session.createExecChannel(argument, ptyConfig, safeEnv);
        exec.setUsePty(pty);
        return exec;
      }
      default -> {
        return session.createSubsystemChannel(argument);
      }
    }
  }

  /** Locale and time zone only: nothing that changes what the remote shell executes. */
  static Map<String, String> safeEnvironment(Map<String, String> env) {
    Map<String, String> safe = new LinkedHashMap<>();
    env.forEach(
        (name, value) -> {
          boolean allowed = name.equals("LANG") || name.startsWith("LC_") || name.equals("TZ");
          if (allowed && value != null && value.length() <= 256 && name.length() <= 64) {
            safe.put(name, value);
          }
        });
    return safe;
  }

  private static int intOf(String value, int fallback) {
    try {
      return value == null ? fallback : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private void forwardSignal(ClientChannel upstream, Environment env, Signal signal) {
    try {
      if (signal == Signal.WINCH) {
        if (upstream instanceof PtyCapableChannelSession pty) {
          pty.sendWindowChange(
              intOf(env.getEnv().get(Environment.ENV_COLUMNS), 80),
              intOf(env.getEnv().get(Environment.ENV_LINES), 24));
        }
        return;
      }
      Buffer request = upstream.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 64);
      request.putUInt(upstream.getRecipient());
      request.putString("signal");
      request.putBoolean(false);
      request.putString(signal.name());
      upstream.writePacket(request);
    } catch (IOException e) {
      log.debug("cannot forward signal {}: {}", signal, e.getMessage());
    }
  }

  private static void pump(InputStream from, OutputStream to, LongConsumer counter, boolean eof) {
    byte[] buffer = new byte[BUFFER];
    try {
      int n;
      while ((n = from.read(buffer)) >= 0) {
        if (n > 0) {
          to.write(buffer, 0, n);
          to.flush();
          counter.accept(n);
        }
      }
    } catch (IOException e) {
      log.trace("pump ended: {}", e.getMessage());
    } finally {
      if (eof) {
        try {
          to.close();
        } catch (IOException ignored) {
          // the other side is gone already
        }
      }
    }
  }

  private void finish(Channel channel, Integer status, String signal) {
    try {
      out.flush();
      err.flush();
    } catch (IOException ignored) {
      // user already gone
    }
    if (status != null) {
      exit(status, null);
    } else if (signal != null) {
      sendExitSignal(channel, signal);
      Signal known = Signal.get(signal);
      exit(128 + (known == null ? 0 : known.getNumeric()), "killed by signal " + signal);
    } else {
      exit(255, "container closed the channel without an exit status");
    }
  }

  private static void sendExitSignal(Channel channel, String signal) {
    try {
      Buffer request = channel.getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 64);
      request.putUInt(channel.getRecipient());
      request.putString("exit-signal");
      request.putBoolean(false);
      request.putString(signal);
      request.putBoolean(false);
      request.putString("");
      request.putString("");
      channel.writePacket(request);
    } catch (IOException e) {
      log.debug("cannot send exit-signal: {}", e.getMessage());
    }
  }

  private void fail(String message, int status) {
    try {
      err.write(("spoq jump: " + message + "\r\n").getBytes(StandardCharsets.UTF_8));
      err.flush();
    } catch (IOException ignored) {
      // user already gone
    }
    exit(status, message);
  }

  private void exit(int status, String message) {
    if (exited.compareAndSet(false, true) && exitCallback != null) {
      exitCallback.onExit(status, message == null ? "" : message);
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    if (e instanceof SshException && message != null && message.contains("key")) {
      return "container host key does not match the registry record";
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  @Override
  public void destroy(ChannelSession channel) {
    ClientChannel upstream = upstreamChannel;
    if (upstream != null) {
      upstream.close(true);
    }
  }

  /** A refusal the user may be told about verbatim. */
  private static final class Refusal extends RuntimeException {
    Refusal(String message) {
      super(message);
    }
  }
}
