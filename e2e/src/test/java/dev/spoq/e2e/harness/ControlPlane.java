package dev.spoq.e2e.harness;

import dev.spoq.common.token.Tokens;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The four control-plane services, each from its real exec jar, inside the cloud namespace, on one
 * PostgreSQL, configured with exactly the environment variables docker-compose.yml uses.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

  public static final int REGISTRY_PORT = 8081;
  public static final int DNS_PORT = 8082;
  public static final int RELAY_PORT = 8083;
  public static final int JUMP_HTTP_PORT = 8084;
  public static final int JUMP_SSH_PORT = 2222;

  private final NetworkNamespace ns;
  private final String publicIp;
  private final Path workDir;
  private final PostgresBridge postgres;
  private final Bind bind;
  private final String domain;
  private final String adminKey = Tokens.generate("spoq_key");
  private final String dnsToken = Tokens.generate("spoq_svc");
  private final String relayToken = Tokens.generate("spoq_svc");
  private final String jumpToken = Tokens.generate("spoq_svc");
  private final String coordinatorDnsToken = Tokens.generate("spoq_svc");
  private final String pluginSecret = Tokens.generate("spoq_plg");
  private final String frpsAuthToken = Tokens.generate("spoq_frp");
  private final String credentialKey = Tokens.generate("spoq_crk");
  private final List<ServiceProcess> running = new ArrayList<>();
  private Duration lastStartup = Duration.ZERO;
  private boolean replicated;
  private List<Host> replicaHosts = List.of();
  private String[] replicaAddresses = new String[0];

  /**
   * Where one copy of the services runs: its namespace, the address it reaches the other services
   * at, and the one address whose X-Forwarded-For dns-api believes (the TLS proxy's).
   */
  private record Host(String suffix, NetworkNamespace ns, String balancer, String trustedProxy) {}

  public ControlPlane(
      NetworkNamespace ns, String publicIp, Path workDir, PostgresBridge postgres, Bind bind) {
    this.ns = ns;
    this.publicIp = publicIp;
    this.workDir = workDir;
    this.postgres = postgres;
    this.bind = bind;
    this.domain = bind.zone();
  }

  /** Starts every service (in parallel) and waits until all are healthy. */
  public synchronized ControlPlane start() {
    long t0 = System.nanoTime();
    Path logs = workDir.resolve("logs");
    Host host = replicated ? null : new Host("", ns, "127.0.0.1", "127.0.0.1/32");
    List<ServiceProcess> started = new ArrayList<>();
    for (Host h : replicated ? replicaHosts : List.of(host)) {
      for (String module : MODULES) {
        started.add(startOne(h, module, logs));
      }
    }
    awaitAll(started);
    for (Host h : replicated ? replicaHosts : List.of(host)) {
      Ports.awaitTcp(h.ns, JUMP_SSH_PORT, null, Duration.ofSeconds(30));
    }
    lastStartup = Duration.ofNanos(System.nanoTime() - t0);
    log.info("control plane healthy in {} ms", lastStartup.toMillis());
    return this;
  }

  private ServiceProcess startOne(Host h, String module, Path logs) {
    ServiceProcess p =
        ServiceProcess.start(h.ns, module, module + h.suffix, port(module), env(module, h), logs);
    running.add(p);
    return p;
  }

  private static void awaitAll(List<ServiceProcess> started) {
    CompletableFuture.allOf(
            started.stream()
                .map(s -> CompletableFuture.runAsync(() -> s.awaitHealthy(Duration.ofSeconds(600))))
                .toArray(CompletableFuture[]::new))
        .join();
  }

  /**
   * From now on every service runs as two replicas, one on each of two cloud hosts ({@code
   * <module>-a} and {@code <module>-b}, as in docker-compose.yml); services call each other through
   * the balancer on the cloud host (the deployment's internal listeners), which is where this
   * object's URLs point. Takes effect at the next {@link #start()}.
   */
  public synchronized ControlPlane replicated(
      NetworkNamespace[] hosts, String[] addresses, String[] balancerAddresses) {
    List<Host> list = new ArrayList<>();
    for (int i = 0; i < hosts.length; i++) {
      postgres.forwardInto(hosts[i]);
      list.add(
          new Host(
              "-" + (char) ('a' + i),
              hosts[i],
              balancerAddresses[i],
              balancerAddresses[i] + "/32"));
    }
    replicaHosts = List.copyOf(list);
    replicaAddresses = addresses.clone();
    replicated = true;
    return this;
  }

  /** The replica {@code <module>-<a|b>} as running now. */
  public synchronized ServiceProcess replica(String module, int index) {
    String instance = module + replicaHosts.get(index).suffix;
    return running.stream()
        .filter(p -> p.instance().equals(instance))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new IllegalStateException(instance + " is not running"));
  }

  /** The address of replica host {@code index} (what the balancer's upstream names resolve to). */
  public String replicaAddress(int index) {
    return replicaAddresses[index];
  }

  /** Graceful stop (SIGTERM) of one replica, then a fresh start of it; waits until healthy. */
  public ServiceProcess restartReplica(String module, int index) {
    ServiceProcess old = replica(module, index);
    old.close();
    ServiceProcess fresh;
    synchronized (this) {
      running.remove(old);
      fresh = startOne(replicaHosts.get(index), module, workDir.resolve("logs"));
    }
    fresh.awaitHealthy(Duration.ofSeconds(600));
    return fresh;
  }

  /** Starts a replica again after it was killed; waits until healthy. */
  public ServiceProcess startReplica(String module, int index) {
    ServiceProcess fresh;
    synchronized (this) {
      running.removeIf(p -> p.instance().equals(module + replicaHosts.get(index).suffix));
      fresh = startOne(replicaHosts.get(index), module, workDir.resolve("logs"));
    }
    fresh.awaitHealthy(Duration.ofSeconds(600));
    return fresh;
  }

  public boolean isReplicated() {
    return replicated;
  }

  /** Stops every service (PostgreSQL stays). */
  public synchronized void stop() {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
    running.clear();
  }

  public boolean running() {
    return !running.isEmpty() && running.stream().allMatch(ServiceProcess::isAlive);
  }

  public Duration lastStartup() {
    return lastStartup;
  }

  public static final List<String> MODULES =
      List.of("device-registry", "dns-api", "relay-coordinator", "jump-router");

  private static int port(String module) {
    return switch (module) {
      case "device-registry" -> REGISTRY_PORT;
      case "dns-api" -> DNS_PORT;
      case "relay-coordinator" -> RELAY_PORT;
      case "jump-router" -> JUMP_HTTP_PORT;
      default -> throw new IllegalArgumentException(module);
    };
  }

  private Map<String, String> env(String module, Host h) {
    return switch (module) {
      case "device-registry" -> registryEnv();
      case "dns-api" -> dnsEnv(h);
      case "relay-coordinator" -> relayEnv(h);
      case "jump-router" -> jumpEnv(h);
      default -> throw new IllegalArgumentException(module);
    };
  }

  private Map<String, String> common(int port) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SERVER_PORT", String.valueOf(port));
    env.put("SPOQ_DOMAIN", domain);
    return env;
  }

  private Map<String, String> datasource(Map<String, String> env) {
    env.put("SPRING_DATASOURCE_URL", postgres.jdbcUrl());
    env.put("SPRING_DATASOURCE_USERNAME", postgres.username());
    env.put("SPRING_DATASOURCE_PASSWORD", postgres.password());
    return env;
  }

  /** The registry as a service reaches it: itself on loopback, or the balancer for replicas. */
  private Map<String, String> client(Map<String, String> env, String token, Host h) {
    env.put("SPOQ_REGISTRY_BASEURL", "http://" + h.balancer + ":" + REGISTRY_PORT);
    env.put("SPOQ_REGISTRY_SERVICETOKEN", token);
    return env;
  }

  private Map<String, String> registryEnv() {
    Map<String, String> env = datasource(common(REGISTRY_PORT));
    env.put("SPOQ_SECURITY_BOOTSTRAPADMINKEY", adminKey);
    env.put("SPOQ_SECURITY_SERVICETOKENS_DNSAPI", dnsToken);
    env.put("SPOQ_SECURITY_SERVICETOKENS_RELAYCOORDINATOR", relayToken);
    env.put("SPOQ_SECURITY_SERVICETOKENS_JUMPROUTER", jumpToken);
    return env;
  }

  private Map<String, String> dnsEnv(Host h) {
    Map<String, String> env = client(datasource(common(DNS_PORT)), dnsToken, h);
    env.put("SPOQ_DNS_PROVIDER", "rfc2136");
    env.put("SPOQ_DNS_RFC2136_SERVER", bind.address());
    env.put("SPOQ_DNS_RFC2136_ZONE", domain);
    env.put("SPOQ_DNS_RFC2136_KEYNAME", Bind.KEY_NAME);
    env.put("SPOQ_DNS_RFC2136_KEYSECRET", bind.keySecret());
    env.put("SPOQ_DNS_RFC2136_KEYALGORITHM", Bind.KEY_ALGORITHM);
    // The connect answer reads the published record (contract C6) with its own token.
    env.put("SPOQ_DNS_SERVICETOKENS_RELAYCOORDINATOR", coordinatorDnsToken);
    // Believe X-Forwarded-For only from the TLS proxy (nginx on the cloud host).
    env.put("SPOQ_DNS_TRUSTEDPROXIES", h.trustedProxy);
    return env;
  }

  private Map<String, String> relayEnv(Host h) {
    Map<String, String> env = client(datasource(common(RELAY_PORT)), relayToken, h);
    env.put("SPOQ_RELAY_PLUGINSECRET", pluginSecret);
    env.put("SPOQ_RELAY_FRPSAUTHTOKEN", frpsAuthToken);
    env.put("SPOQ_RELAY_CREDENTIALKEY", credentialKey);
    env.put("SPOQ_RELAY_CONNECT_DNSAPI_BASEURL", "http://" + h.balancer + ":" + DNS_PORT);
    env.put("SPOQ_RELAY_CONNECT_DNSAPI_SERVICETOKEN", coordinatorDnsToken);
    // frps's admin API lives on the relay host's network here (in production: a private one).
    env.put("SPOQ_RELAY_ADMINURL_ALLOWEDRANGES", "45.76.30.0/24");
    // Poll relays (frps admin API) often, so a relay is UP within seconds of frps starting.
    env.put("SPOQ_RELAY_HEALTH_INTERVAL", "3s");
    return env;
  }

  private Map<String, String> jumpEnv(Host h) {
    // Bans and failure budgets are shared by the replicas through PostgreSQL.
    Map<String, String> env = client(datasource(common(JUMP_HTTP_PORT)), jumpToken, h);
    env.put("SPOQ_JUMP_SSH_HOSTKEYPATH", jumpKeyDir().resolve("ssh_host_ed25519_key").toString());
    env.put("SPOQ_JUMP_UPSTREAM_CLIENTKEYPATH", jumpUpstreamKey().toString());
    if (replicated) {
      // SSH arrives through the balancer's stream.conf with a PROXY protocol header.
      env.put("SPOQ_JUMP_SSH_PROXYPROTOCOL_TRUSTEDFROM", h.trustedProxy);
    }
    return env;
  }

  private Path jumpKeyDir() {
    return workDir.resolve("jump-router");
  }

  /** The jump router's upstream client key (containers trust its {@code .pub}). */
  public Path jumpUpstreamKey() {
    return jumpKeyDir().resolve("upstream_ed25519_key");
  }

  public String adminKey() {
    return adminKey;
  }

  public String pluginSecret() {
    return pluginSecret;
  }

  public String frpsAuthToken() {
    return frpsAuthToken;
  }

  public String domain() {
    return domain;
  }

  /** Base URL of a service as the rest of the internet sees it (the cloud's public address). */
  public String registryUrl() {
    return "http://" + publicIp + ":" + REGISTRY_PORT;
  }

  public String dnsUrl() {
    return "http://" + publicIp + ":" + DNS_PORT;
  }

  public String relayUrl() {
    return "http://" + publicIp + ":" + RELAY_PORT;
  }

  public String publicIp() {
    return publicIp;
  }

  @Override
  public void close() {
    stop();
  }
}
