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
  private final String pluginSecret = Tokens.generate("spoq_plg");
  private final String frpsAuthToken = Tokens.generate("spoq_frp");
  private final String credentialKey = Tokens.generate("spoq_crk");
  private final List<ServiceProcess> running = new ArrayList<>();
  private Duration lastStartup = Duration.ZERO;

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
    List<ServiceProcess> started =
        List.of(
            ServiceProcess.start(ns, "device-registry", REGISTRY_PORT, registryEnv(), logs),
            ServiceProcess.start(ns, "dns-api", DNS_PORT, dnsEnv(), logs),
            ServiceProcess.start(ns, "relay-coordinator", RELAY_PORT, relayEnv(), logs),
            ServiceProcess.start(ns, "jump-router", JUMP_HTTP_PORT, jumpEnv(), logs));
    running.addAll(started);
    CompletableFuture.allOf(
            started.stream()
                .map(s -> CompletableFuture.runAsync(() -> s.awaitHealthy(Duration.ofSeconds(150))))
                .toArray(CompletableFuture[]::new))
        .join();
    Ports.awaitTcp(ns, JUMP_SSH_PORT, null, Duration.ofSeconds(30));
    lastStartup = Duration.ofNanos(System.nanoTime() - t0);
    log.info("control plane healthy in {} ms", lastStartup.toMillis());
    return this;
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

  private Map<String, String> client(Map<String, String> env, String token) {
    env.put("SPOQ_REGISTRY_BASEURL", "http://127.0.0.1:" + REGISTRY_PORT);
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

  private Map<String, String> dnsEnv() {
    Map<String, String> env = client(datasource(common(DNS_PORT)), dnsToken);
    env.put("SPOQ_DNS_PROVIDER", "rfc2136");
    env.put("SPOQ_DNS_RFC2136_SERVER", bind.address());
    env.put("SPOQ_DNS_RFC2136_ZONE", domain);
    env.put("SPOQ_DNS_RFC2136_KEYNAME", Bind.KEY_NAME);
    env.put("SPOQ_DNS_RFC2136_KEYSECRET", bind.keySecret());
    env.put("SPOQ_DNS_RFC2136_KEYALGORITHM", Bind.KEY_ALGORITHM);
    // Believe X-Forwarded-For only from the TLS proxy (nginx, same namespace, over loopback).
    env.put("SPOQ_DNS_TRUSTEDPROXIES", "127.0.0.1/32");
    return env;
  }

  private Map<String, String> relayEnv() {
    Map<String, String> env = client(datasource(common(RELAY_PORT)), relayToken);
    env.put("SPOQ_RELAY_PLUGINSECRET", pluginSecret);
    env.put("SPOQ_RELAY_FRPSAUTHTOKEN", frpsAuthToken);
    env.put("SPOQ_RELAY_CREDENTIALKEY", credentialKey);
    // Poll relays (frps admin API) often, so a relay is UP within seconds of frps starting.
    env.put("SPOQ_RELAY_HEALTH_INTERVAL", "3s");
    return env;
  }

  private Map<String, String> jumpEnv() {
    Map<String, String> env = client(common(JUMP_HTTP_PORT), jumpToken);
    env.put("SPOQ_JUMP_SSH_HOSTKEYPATH", jumpKeyDir().resolve("ssh_host_ed25519_key").toString());
    env.put("SPOQ_JUMP_UPSTREAM_CLIENTKEYPATH", jumpUpstreamKey().toString());
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
