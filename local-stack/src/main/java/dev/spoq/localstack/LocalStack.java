package dev.spoq.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The README's run command: one embedded PostgreSQL (data kept in the state directory) and every
 * control-plane service started from its built jar, in dependency order, each waited on until
 * healthy. Prints where each listens and the local admin API key.
 */
public final class LocalStack {

  private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String VERSION = "0.1.0-SNAPSHOT";

  private LocalStack() {}

  public static void main(String[] args) throws Exception {
    LocalStackOptions options;
    try {
      options = LocalStackOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("local-stack: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.print(LocalStackOptions.USAGE);
      return;
    }
    run(options);
  }

  private static void run(LocalStackOptions options) throws Exception {
    Path state = options.stateDir();
    Files.createDirectories(state);
    LocalSecrets secrets = LocalSecrets.loadOrCreate(state.resolve("secrets.properties"));

    log.info(
        "starting embedded PostgreSQL on port {} (data in {})",
        options.postgresPort(),
        state.resolve("postgres"));
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setPort(options.postgresPort())
            .setDataDirectory(state.resolve("postgres"))
            .setCleanDataDirectory(false)
            .start();
    String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + options.postgresPort() + "/postgres";

    List<ServiceProcess> running = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("stopping the control plane");
                  for (int i = running.size() - 1; i >= 0; i--) {
                    running.get(i).close();
                  }
                  try {
                    postgres.close();
                  } catch (Exception e) {
                    log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
                  }
                  stopped.countDown();
                }));

    int port = options.registryPort();
    String registryUrl = "http://127.0.0.1:" + port;
    List<ServiceSpec> specs =
        List.of(
            new ServiceSpec("device-registry", port, registryConfig(secrets)),
            new ServiceSpec(
                "dns-api",
                port + 1,
                clientConfig("dns-api", registryUrl, secrets, dnsConfig(secrets))),
            new ServiceSpec(
                "relay-coordinator",
                port + 2,
                clientConfig(
                    "relay-coordinator",
                    registryUrl,
                    secrets,
                    relayConfig(secrets, "http://127.0.0.1:" + (port + 1)))),
            new ServiceSpec(
                "jump-router",
                port + 3,
                clientConfig("jump-router", registryUrl, secrets, jumpConfig(state))));

    for (ServiceSpec spec : specs) {
      Path jar =
          options
              .repoRoot()
              .resolve(spec.name())
              .resolve("target")
              .resolve(spec.name() + "-" + VERSION + "-exec.jar");
      Map<String, Object> config = new LinkedHashMap<>(spec.config());
      config.put("spring.datasource.url", jdbcUrl);
      config.put("spring.datasource.username", "postgres");
      config.put("spring.datasource.password", "postgres");
      log.info("starting {} on http://127.0.0.1:{}", spec.name(), spec.port());
      ServiceProcess process =
          ServiceProcess.start(
              spec.name(),
              jar,
              spec.port(),
              JSON.writeValueAsString(config),
              state.resolve("logs"));
      running.add(process);
      process.awaitHealthy(options.startTimeout());
    }

    String coordinatorUrl = "http://127.0.0.1:" + (port + 2);
    String relayToken = registerLocalRelay(coordinatorUrl, secrets.adminKey());
    Map<String, Object> relayServer = new LinkedHashMap<>();
    relayServer.put("spoq.relay.coordinator.url", coordinatorUrl);
    relayServer.put("spoq.relay.coordinator.relay-id", LOCAL_RELAY_ID);
    relayServer.put("spoq.relay.coordinator.token", relayToken);
    relayServer.put("spoq.relay.bind-address", "127.0.0.1");
    relayServer.put("spoq.relay.client-port", LOCAL_RELAY_CLIENT_PORT);
    relayServer.put("spoq.relay.agent-port", LOCAL_RELAY_AGENT_PORT);
    log.info("starting relay-server on http://127.0.0.1:{}", port + 4);
    ServiceProcess relay =
        ServiceProcess.start(
            "relay-server",
            options.repoRoot().resolve("relay-server/target/relay-server-" + VERSION + "-exec.jar"),
            port + 4,
            JSON.writeValueAsString(relayServer),
            state.resolve("logs"));
    running.add(relay);
    relay.awaitHealthy(options.startTimeout());

    printSummary(running, secrets, options, jdbcUrl);
    stopped.await();
  }

  static final String LOCAL_RELAY_ID = "local-1";
  static final int LOCAL_RELAY_CLIENT_PORT = 51820;
  static final int LOCAL_RELAY_AGENT_PORT = 51821;

  /**
   * Registers the loopback relay-server at the coordinator as a spoq relay, or, when it exists from
   * an earlier run, rotates its token (the token is shown only once); returns the token.
   */
  static String registerLocalRelay(String coordinatorUrl, String adminKey) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", LOCAL_RELAY_ID);
    body.put("kind", "spoq");
    body.put("region", "local");
    body.put("publicHost", "127.0.0.1");
    body.put("wgPort", LOCAL_RELAY_CLIENT_PORT);
    body.put("agentPort", LOCAL_RELAY_AGENT_PORT);
    body.put("capacity", 100);
    HttpResponse<String> created =
        post(coordinatorUrl + "/api/relays", adminKey, JSON.writeValueAsString(body));
    if (created.statusCode() == 201) {
      return JSON.readTree(created.body()).path("relayToken").asString();
    }
    if (created.statusCode() != 409) {
      throw new IllegalStateException(
          "registering the local relay failed: " + created.statusCode() + " " + created.body());
    }
    HttpResponse<String> rotated =
        post(coordinatorUrl + "/api/relays/" + LOCAL_RELAY_ID + "/token/rotate", adminKey, "");
    if (rotated.statusCode() != 200) {
      throw new IllegalStateException(
          "rotating the local relay's token failed: "
              + rotated.statusCode()
              + " "
              + rotated.body());
    }
    return JSON.readTree(rotated.body()).path("relayToken").asString();
  }

  private static HttpResponse<String> post(String url, String bearer, String json)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bearer " + bearer)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  private record ServiceSpec(String name, int port, Map<String, Object> config) {}

  private static Map<String, Object> registryConfig(LocalSecrets secrets) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("spoq.security.bootstrap-admin-key", secrets.adminKey());
    for (String service : LocalSecrets.CALLING_SERVICES) {
      config.put("spoq.security.service-tokens." + service, secrets.serviceToken(service));
    }
    return config;
  }

  private static Map<String, Object> clientConfig(
      String service, String registryUrl, LocalSecrets secrets, Map<String, Object> extra) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("spoq.registry.base-url", registryUrl);
    config.put("spoq.registry.service-token", secrets.serviceToken(service));
    config.putAll(extra);
    return config;
  }

  private static Map<String, Object> dnsConfig(LocalSecrets secrets) {
    return Map.of(
        "spoq.dns.provider",
        "none",
        "spoq.dns.service-tokens.relay-coordinator",
        secrets.coordinatorDnsToken());
  }

  private static Map<String, Object> relayConfig(LocalSecrets secrets, String dnsApiUrl) {
    return Map.of(
        "spoq.relay.plugin-secret", secrets.frpsPluginSecret(),
        "spoq.relay.frps-auth-token", secrets.frpsAuthToken(),
        "spoq.relay.credential-key", secrets.relayCredentialKey(),
        "spoq.relay.connect.dns-api.base-url", dnsApiUrl,
        "spoq.relay.connect.dns-api.service-token", secrets.coordinatorDnsToken());
  }

  private static Map<String, Object> jumpConfig(Path state) {
    Path dir = state.resolve("jump-router");
    return Map.of(
        "spoq.jump.ssh.host-key-path", dir.resolve("ssh_host_ed25519_key").toString(),
        "spoq.jump.upstream.client-key-path", dir.resolve("upstream_ed25519_key").toString());
  }

  private static void printSummary(
      List<ServiceProcess> running,
      LocalSecrets secrets,
      LocalStackOptions options,
      String jdbcUrl) {
    StringBuilder out = new StringBuilder();
    out.append("\nSpoq control plane is up\n\n");
    for (ServiceProcess p : running) {
      out.append(
          String.format(
              "  %-18s http://127.0.0.1:%d   (log: %s)%n", p.name(), p.httpPort(), p.logFile()));
    }
    out.append(String.format("  %-18s ssh -p 2222 <user>@127.0.0.1%n", "jump-router SSH"));
    out.append(
        String.format(
            "  %-18s WireGuard clients udp 127.0.0.1:%d, agents udp 127.0.0.1:%d (spoq relay \"%s\")%n",
            "relay-server UDP", LOCAL_RELAY_CLIENT_PORT, LOCAL_RELAY_AGENT_PORT, LOCAL_RELAY_ID));
    out.append(String.format("  %-18s %s (user postgres)%n", "PostgreSQL", jdbcUrl));
    out.append("\n  Admin API key: ").append(secrets.adminKey()).append('\n');
    out.append("  Secrets:       ")
        .append(options.stateDir().resolve("secrets.properties"))
        .append('\n');
    out.append("  Try:           curl -H \"Authorization: Bearer $ADMIN_KEY\" http://127.0.0.1:")
        .append(options.registryPort())
        .append("/api/accounts\n\n  Ctrl-C stops everything.\n");
    System.out.println(out);
  }
}
