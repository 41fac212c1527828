package dev.spoq.localstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
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
                "dns-api", port + 1, clientConfig("dns-api", registryUrl, secrets, dnsConfig())),
            new ServiceSpec(
                "relay-coordinator",
                port + 2,
                clientConfig("relay-coordinator", registryUrl, secrets, relayConfig(secrets))),
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

    printSummary(running, secrets, options, jdbcUrl);
    stopped.await();
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

  private static Map<String, Object> dnsConfig() {
    return Map.of("spoq.dns.provider", "none");
  }

  private static Map<String, Object> relayConfig(LocalSecrets secrets) {
    return Map.of(
        "spoq.relay.plugin-secret", secrets.frpsPluginSecret(),
        "spoq.relay.frps-auth-token", secrets.frpsAuthToken(),
        "spoq.relay.credential-key", secrets.relayCredentialKey());
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
