package dev.spoq.jump.ssh;

import dev.spoq.jump.audit.AuditTrail;
import dev.spoq.jump.auth.RegistryKeyAuthenticator;
import dev.spoq.jump.auth.RegistryLookups;
import dev.spoq.jump.config.JumpProperties;
import dev.spoq.jump.forward.ContainerTargetPolicy;
import dev.spoq.jump.forward.DenyByDefaultForwardingFilter;
import dev.spoq.jump.forward.OwnContainerTcpipFactory;
import dev.spoq.jump.limits.ConnectionGuard;
import dev.spoq.jump.session.ChannelQuota;
import dev.spoq.jump.session.RouterMetrics;
import dev.spoq.jump.session.SessionTracker;
import dev.spoq.jump.upstream.DirectLoginFactory;
import dev.spoq.jump.upstream.UpstreamConnector;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.pubkey.UserAuthPublicKeyFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The router's SSH listener as a Spring lifecycle bean: public-key auth against the registry,
 * ProxyJump to the user's own container only, direct login bridged to the container, abuse limits
 * and audit. Host key and upstream client key are ed25519 files created on first start.
 */
public class JumpSshServer implements SmartLifecycle {

  /** How long a stopping router lets its open sessions finish after it stops accepting. */
  static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(3);

  private static final Logger log = LoggerFactory.getLogger(JumpSshServer.class);

  private final JumpProperties props;
  private final RegistryLookups lookups;
  private final AuditTrail audit;
  private final RouterMetrics metrics;
  private final ConnectionGuard guard;
  private final SessionTracker tracker;
  private final TrustedProxies balancers;
  private volatile DrainableSshServer server;
  private volatile UpstreamConnector upstream;
  private volatile ExecutorService pumps;
  private volatile KeyPair hostKey;
  private volatile KeyPair upstreamKey;

  public JumpSshServer(
      JumpProperties props,
      RegistryLookups lookups,
      AuditTrail audit,
      RouterMetrics metrics,
      ConnectionGuard guard) {
    this.props = props;
    this.lookups = lookups;
    this.audit = audit;
    this.metrics = metrics;
    this.guard = guard;
    this.balancers = TrustedProxies.of(props.ssh().proxyProtocol().trustedFrom());
    this.tracker =
        new SessionTracker(audit, metrics, guard, props.ssh().serverVersion(), balancers::trusted);
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    hostKey = KeyFiles.loadOrCreateEd25519(props.ssh().hostKeyPath(), "spoq-jump-router-host");
    upstreamKey =
        KeyFiles.loadOrCreateEd25519(props.upstream().clientKeyPath(), "spoq-jump-router");
    pumps = Executors.newCachedThreadPool(daemonThreads("jump-bridge-"));
    upstream = new UpstreamConnector(props.upstream(), upstreamKey);

    DrainableSshServer ssh =
        (DrainableSshServer) ServerBuilder.builder().factory(DrainableSshServer::new).build();
    CryptoPolicy.apply(ssh, ServerBuilder.DH2KEX);
    ssh.setHost(props.ssh().bindAddress());
    ssh.setPort(props.ssh().port());
    ssh.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
    ssh.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    ssh.setPasswordAuthenticator(null);
    ssh.setKeyboardInteractiveAuthenticator(null);
    ssh.setGSSAuthenticator(null);
    ssh.setHostBasedAuthenticator(null);
    ssh.setPublickeyAuthenticator(
        new RegistryKeyAuthenticator(
            lookups, tracker, guard, metrics, props.limits().maxSessionsPerUser()));
    ContainerTargetPolicy policy = new ContainerTargetPolicy(lookups);
    ssh.setForwardingFilter(new DenyByDefaultForwardingFilter(policy));
    ssh.setAgentFactory(null);
    ChannelQuota quota = new ChannelQuota(props.limits().maxChannelsPerSession(), metrics);
    ssh.setChannelFactories(
        List.of(
            new LimitedChannelSessionFactory(quota),
            new OwnContainerTcpipFactory(policy, audit, metrics, quota)));
    DirectLoginFactory login = new DirectLoginFactory(upstream, lookups, audit, pumps);
    ssh.setShellFactory(login);
    ssh.setCommandFactory(login);
    ssh.setSubsystemFactories(List.of(login));
    ssh.addSessionListener(tracker);
    ssh.setServerProxyAcceptor(new ProxyProtocolAcceptor(balancers, tracker));
    ssh.setSessionDisconnectHandler(new DisconnectReasons(props.timeouts().loginGrace()));

    CoreModuleProperties.SERVER_IDENTIFICATION.set(ssh, props.ssh().serverVersion());
    CoreModuleProperties.AUTH_TIMEOUT.set(ssh, props.timeouts().loginGrace());
    CoreModuleProperties.IDLE_TIMEOUT.set(ssh, props.timeouts().idle());
    CoreModuleProperties.CHANNEL_OPEN_TIMEOUT.set(ssh, props.timeouts().channelOpen());
    CoreModuleProperties.MAX_AUTH_REQUESTS.set(ssh, props.limits().maxAuthAttemptsPerConnection());
    // MINA's own channel cap kills the whole connection; ChannelQuota refuses only the channel.
    CoreModuleProperties.MAX_CONCURRENT_CHANNELS.set(ssh, Integer.MAX_VALUE);
    CoreModuleProperties.AUTH_METHODS.set(ssh, "publickey");
    try {
      ssh.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen for SSH on " + props.ssh().bindAddress() + ":" + props.ssh().port(), e);
    }
    server = ssh;
    log.info(
        "jump router listening for SSH on {}:{}; host key {} {}",
        props.ssh().bindAddress(),
        ssh.getPort(),
        KeyUtils.getFingerPrint(hostKey.getPublic()),
        props.ssh().hostKeyPath().toAbsolutePath().normalize());
    if (balancers.enabled()) {
      log.info(
          "SSH connections from {} must start with a PROXY protocol header (v1 or v2)", balancers);
    }
    log.info(
        "containers must trust the router's upstream key (for their user only): {}",
        upstreamPublicKey());
  }

  @Override
  public synchronized void stop() {
    DrainableSshServer ssh = server;
    server = null;
    if (ssh != null) {
      try {
        // Short commands (scp, a probe, a ControlMaster's first channel) finish; the rest are
        // cut after the grace, as before.
        ssh.drain(SHUTDOWN_DRAIN);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        ssh.stop(true);
      } catch (IOException e) {
        log.warn("stopping SSH server: {}", e.getMessage());
      }
    }
    if (upstream != null) {
      upstream.close();
      upstream = null;
    }
    if (pumps != null) {
      pumps.shutdownNow();
      try {
        pumps.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      pumps = null;
    }
  }

  @Override
  public boolean isRunning() {
    SshServer ssh = server;
    return ssh != null && ssh.isStarted() && ssh.isOpen();
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    SshServer ssh = server;
    return ssh == null ? -1 : ssh.getPort();
  }

  public String hostKeyFingerprint() {
    return KeyUtils.getFingerPrint(hostKey.getPublic());
  }

  public String hostPublicKey() {
    return KeyFiles.publicKeyLine(hostKey, "");
  }

  /** The line containers put in the user's authorized_keys to let the router log in. */
  public String upstreamPublicKey() {
    return KeyFiles.publicKeyLine(upstreamKey, "spoq-jump-router");
  }

  public String upstreamKeyFingerprint() {
    return KeyUtils.getFingerPrint(upstreamKey.getPublic());
  }

  public int activeSessions() {
    return tracker.activeSessions();
  }

  /** Authenticated sessions the user has open now. */
  public int sessionsOf(String username) {
    return tracker.sessionsOf(username);
  }

  public ConnectionGuard guard() {
    return guard;
  }

  public RegistryLookups lookups() {
    return lookups;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
