package dev.spoq.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.e2e.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Validates {@code docker-compose.yml} with the real Compose CLI ({@code docker compose config}, or
 * the Debian {@code docker-compose} when the plugin is absent; no engine needed) and checks that no
 * secret has a default: a missing secret must stop Compose with an error naming it.
 */
@Tag("deploy")
class ComposeConfigTest {

  private static final Pattern INTERPOLATION =
      Pattern.compile("\\$\\{([A-Z0-9_]+)(?:(:?[-?+])([^}]*))?}");
  private static final Pattern SECRET_NAME =
      Pattern.compile(".*(PASSWORD|TOKEN|SECRET|_KEY|SHA256).*");
  private static final Set<String> SERVICES =
      Set.of(
          "postgres",
          "device-registry-a",
          "device-registry-b",
          "dns-api-a",
          "dns-api-b",
          "relay-coordinator-a",
          "relay-coordinator-b",
          "jump-router-a",
          "jump-router-b",
          "frps",
          "relay-server",
          "proxy");

  /** Each control-plane service: its nginx upstream and the port its replicas serve. */
  private static final Map<String, String> UPSTREAMS =
      Map.of(
          "device-registry", "spoq_registry",
          "dns-api", "spoq_dns",
          "relay-coordinator", "spoq_relay",
          "jump-router", "spoq_jump_ssh");

  private static final Pattern UPSTREAM_BLOCK =
      Pattern.compile("upstream\\s+(\\w+)\\s*\\{([^}]*)}");
  private static final Pattern UPSTREAM_SERVER =
      Pattern.compile("server\\s+([a-z0-9-]+):(\\d+)([^;]*);");

  private static Path root;
  private static Path compose;
  private static Path exampleEnv;
  private static List<String> composeCli;

  @BeforeAll
  static void locate() {
    root = RepoPaths.root();
    compose = root.resolve("docker-compose.yml");
    exampleEnv = root.resolve("deploy/env/example.env");
    composeCli = ComposeCli.find();
  }

  @Test
  void exampleEnvProducesAValidConfigWithEveryServiceHealthCheckedAndRestarted() throws Exception {
    Result result = config(exampleEnv);
    assertThat(result.exitCode()).as("compose config failed:\n%s", result.stderr()).isZero();

    Map<String, Object> model = new Yaml().load(result.stdout());
    Map<String, Map<String, Object>> services = cast(model.get("services"));
    assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(SERVICES);
    for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
      Map<String, Object> service = e.getValue();
      assertThat(service).as("%s has a health check", e.getKey()).containsKey("healthcheck");
      assertThat(service.get("restart"))
          .as("%s restart policy", e.getKey())
          .isEqualTo("unless-stopped");
      if (service.containsKey("depends_on")) {
        Map<String, Map<String, Object>> deps = cast(service.get("depends_on"));
        deps.forEach(
            (dep, cond) ->
                assertThat(cond.get("condition"))
                    .as("%s waits for %s to be healthy", e.getKey(), dep)
                    .isEqualTo("service_healthy"));
      }
    }
    // Start order: each first replica after the database and the registry, each second replica
    // after its first (migrations, the jump router's shared host key), the proxy after one
    // replica of each service, frps after the proxy (its plugin goes through the balancer).
    assertThat(dependsOn(services, "device-registry-a")).contains("postgres");
    for (String family : List.of("dns-api", "relay-coordinator", "jump-router")) {
      assertThat(dependsOn(services, family + "-a")).contains("device-registry-a");
    }
    for (String family : UPSTREAMS.keySet()) {
      assertThat(dependsOn(services, family + "-b")).contains(family + "-a");
      assertThat(dependsOn(services, "proxy")).contains(family + "-a");
    }
    assertThat(dependsOn(services, "frps")).contains("proxy");

    // Callers reach the registry through the balancer (an alias of the proxy), never a replica.
    for (String client : List.of("dns-api", "relay-coordinator", "jump-router")) {
      for (String replica : List.of(client + "-a", client + "-b")) {
        assertThat(env(services, replica))
            .containsEntry("SPOQ_REGISTRY_BASEURL", "http://device-registry:8081")
            .containsKey("SPOQ_REGISTRY_SERVICETOKEN");
      }
    }

    // Each calling service's token is the one the registry accepts for it.
    Map<String, Object> registryEnv = env(services, "device-registry-a");
    assertThat(registryEnv.get("SPOQ_SECURITY_SERVICETOKENS_DNSAPI"))
        .isEqualTo(env(services, "dns-api-a").get("SPOQ_REGISTRY_SERVICETOKEN"));
    assertThat(registryEnv.get("SPOQ_SECURITY_SERVICETOKENS_RELAYCOORDINATOR"))
        .isEqualTo(env(services, "relay-coordinator-a").get("SPOQ_REGISTRY_SERVICETOKEN"));
    assertThat(registryEnv.get("SPOQ_SECURITY_SERVICETOKENS_JUMPROUTER"))
        .isEqualTo(env(services, "jump-router-a").get("SPOQ_REGISTRY_SERVICETOKEN"));
    assertThat(registryEnv).containsKey("SPOQ_SECURITY_BOOTSTRAPADMINKEY");
    for (String db :
        List.of(
            "device-registry-a",
            "device-registry-b",
            "dns-api-a",
            "dns-api-b",
            "relay-coordinator-a",
            "relay-coordinator-b")) {
      assertThat(env(services, db))
          .containsKeys(
              "SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD");
    }

    // dns-api believes X-Forwarded-For only from the TLS proxy's fixed address.
    Map<String, Map<String, Object>> proxyNetworks = cast(services.get("proxy").get("networks"));
    String proxyIp = String.valueOf(proxyNetworks.get("backend").get("ipv4_address"));
    for (String replica : List.of("dns-api-a", "dns-api-b")) {
      assertThat(env(services, replica).get("SPOQ_DNS_TRUSTEDPROXIES")).isEqualTo(proxyIp + "/32");
    }

    // Persistent state lives in named volumes.
    Map<String, Object> volumes = cast(model.get("volumes"));
    assertThat(volumes).containsKeys("postgres-data", "jump-router-keys");

    // Only the proxy (HTTPS, and SSH for the jump router) and the relay are published; never the
    // database, a replica or a plain HTTP API.
    List<String> published = new ArrayList<>(List.of("postgres"));
    for (String family : UPSTREAMS.keySet()) {
      published.add(family + "-a");
      published.add(family + "-b");
    }
    assertThat(services.get("proxy").get("ports").toString()).contains("2222");
    for (String internal : published) {
      assertThat(services.get(internal))
          .as("%s is not published", internal)
          .doesNotContainKey("ports");
    }
  }

  @Test
  void everyServiceRunsTwoIdenticalReplicasThatTheBalancerReaches() throws Exception {
    Result result = config(exampleEnv);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    Map<String, Object> model = new Yaml().load(result.stdout());
    Map<String, Map<String, Object>> services = cast(model.get("services"));
    Map<String, Object> proxy = services.get("proxy");

    // The proxy resolves each replica name to the replica's fixed backend address.
    Map<String, String> extraHosts = new LinkedHashMap<>();
    for (Object entry : (List<?>) proxy.get("extra_hosts")) {
      String[] parts = String.valueOf(entry).split(":", 2);
      extraHosts.put(parts[0], parts[1]);
    }
    Map<String, Map<String, Object>> proxyNetworks = cast(proxy.get("networks"));
    List<String> aliases = cast(proxyNetworks.get("backend").get("aliases"));

    String http =
        Files.readString(root.resolve("deploy/proxy/spoq.conf.template"), StandardCharsets.UTF_8)
            + Files.readString(root.resolve("deploy/proxy/stream.conf"), StandardCharsets.UTF_8);
    Map<String, String> upstreamBodies = new LinkedHashMap<>();
    Matcher block = UPSTREAM_BLOCK.matcher(http);
    while (block.find()) {
      upstreamBodies.put(block.group(1), block.group(2));
    }
    String internal =
        Files.readString(root.resolve("deploy/proxy/internal.conf"), StandardCharsets.UTF_8);

    for (Map.Entry<String, String> family : UPSTREAMS.entrySet()) {
      String a = family.getKey() + "-a";
      String b = family.getKey() + "-b";
      // Two replicas of one image with the same settings.
      assertThat(services.get(b).get("image")).isEqualTo(services.get(a).get("image"));
      assertThat(env(services, b)).isEqualTo(env(services, a));
      assertThat(services.get(b).get("healthcheck")).isEqualTo(services.get(a).get("healthcheck"));
      String port =
          "jump-router".equals(family.getKey())
              ? "2222"
              : (String) env(services, a).get("SERVER_PORT");

      // The upstream lists exactly these replicas, on their port, with a passive health check.
      String body = upstreamBodies.get(family.getValue());
      assertThat(body).as("upstream %s", family.getValue()).isNotNull();
      Map<String, String> servers = new LinkedHashMap<>();
      Matcher server = UPSTREAM_SERVER.matcher(body);
      while (server.find()) {
        servers.put(server.group(1) + ":" + server.group(2), server.group(3));
      }
      assertThat(servers.keySet()).containsExactlyInAnyOrder(a + ":" + port, b + ":" + port);
      servers.values().forEach(p -> assertThat(p).contains("max_fails=").contains("fail_timeout="));

      for (String replica : List.of(a, b)) {
        Map<String, Map<String, Object>> networks = cast(services.get(replica).get("networks"));
        String address = String.valueOf(networks.get("backend").get("ipv4_address"));
        assertThat(extraHosts).as("proxy resolves %s", replica).containsEntry(replica, address);
      }

      // HTTP services: callers use the family name, an alias of the proxy, on an internal
      // listener of that port that forwards to the family's upstream.
      if (!"jump-router".equals(family.getKey())) {
        assertThat(aliases).contains(family.getKey());
        Matcher listener =
            Pattern.compile("listen " + port + ";(.*?)\\n}", Pattern.DOTALL).matcher(internal);
        assertThat(listener.find()).as("internal.conf listens on %s", port).isTrue();
        assertThat(listener.group(1)).contains("proxy_pass http://" + family.getValue() + ";");
      }
    }
    // Replies that failed on one replica go to the other only for idempotent methods.
    assertThat(http).contains("proxy_next_upstream error timeout").doesNotContain("non_idempotent");

    // frps's server plugin goes through the balancer to the coordinator upstream.
    String pluginAddr = String.valueOf(env(services, "frps").get("FRPS_PLUGIN_ADDR"));
    assertThat(pluginAddr).isEqualTo("relay-coordinator:8083");
    // relay-server (kind spoq) long-polls its Jetson set through the balancer too.
    assertThat(env(services, "relay-server"))
        .containsEntry("SPOQ_RELAY_COORDINATOR_URL", "http://relay-coordinator:8083")
        .containsKeys("SPOQ_RELAY_COORDINATOR_RELAYID", "SPOQ_RELAY_COORDINATOR_TOKEN");
    assertThat(aliases).contains("relay-coordinator");

    // Dynamic addresses never collide with the fixed ones.
    Map<String, Map<String, Object>> networks = cast(model.get("networks"));
    Map<String, Object> ipam = cast(networks.get("backend").get("ipam"));
    List<Map<String, Object>> ipamConfig = cast(ipam.get("config"));
    assertThat(ipamConfig.get(0)).containsEntry("ip_range", "172.30.0.128/25");
    for (String address : extraHosts.values()) {
      assertThat(Integer.parseInt(address.substring(address.lastIndexOf('.') + 1)))
          .as("fixed address %s below the dynamic range", address)
          .isLessThan(128);
    }
  }

  @Test
  void mountedFilesExistAndEveryTemplateVariableIsProvided() throws Exception {
    Result result = config(exampleEnv);
    assertThat(result.exitCode()).as(result.stderr()).isZero();
    Map<String, Object> model = new Yaml().load(result.stdout());
    Map<String, Map<String, Object>> services = cast(model.get("services"));
    // compose config does not check bind-mount sources; a missing file would become an empty dir.
    for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
      Object volumes = e.getValue().get("volumes");
      if (volumes == null) {
        continue;
      }
      for (Object v : (List<?>) volumes) {
        String source =
            v instanceof Map<?, ?> m
                ? String.valueOf(m.get("source"))
                : String.valueOf(v).split(":")[0];
        if (source.startsWith("/") || source.startsWith(".")) {
          assertThat(root.resolve(source).normalize())
              .as("%s mounts %s", e.getKey(), source)
              .exists();
        }
      }
    }
    // frps renders deploy/frp/frps.toml from its environment ({{ .Envs.NAME }}).
    assertThat(env(services, "frps").keySet())
        .containsAll(placeholders(root.resolve("deploy/frp/frps.toml"), "\\.Envs\\.([A-Z0-9_]+)"));
    // The nginx image renders ${NAME} in the proxy template from its environment.
    assertThat(env(services, "proxy").keySet())
        .containsAll(
            placeholders(root.resolve("deploy/proxy/spoq.conf.template"), "\\$\\{([A-Z0-9_]+)}"));
  }

  private static Set<String> placeholders(Path file, String regex) throws IOException {
    Set<String> names = new LinkedHashSet<>();
    Pattern pattern = Pattern.compile(regex);
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.trim().startsWith("#")) {
        continue; // comments may describe the syntax
      }
      Matcher m = pattern.matcher(line);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    assertThat(names).as("placeholders in %s", file).isNotEmpty();
    return names;
  }

  @Test
  void composeFileHasNoDefaultForAnySecret() throws IOException {
    String text = Files.readString(compose, StandardCharsets.UTF_8);
    Map<String, String> operators = new LinkedHashMap<>();
    Matcher m = INTERPOLATION.matcher(text);
    while (m.find()) {
      if (SECRET_NAME.matcher(m.group(1)).matches()) {
        operators.merge(m.group(1), String.valueOf(m.group(2)), (a, b) -> a + "," + b);
      }
    }
    assertThat(operators).as("secrets referenced by the compose file").isNotEmpty();
    operators.forEach(
        (name, ops) ->
            assertThat(ops.split(","))
                .as(
                    "%s must be required (${%s:?...}) or empty (${%s:-}), never defaulted",
                    name, name, name)
                .containsAnyOf(":?", ":-"));
    // An optional secret (the DNS provider not in use) may only default to nothing.
    Matcher defaults = INTERPOLATION.matcher(text);
    while (defaults.find()) {
      if (SECRET_NAME.matcher(defaults.group(1)).matches() && !":?".equals(defaults.group(2))) {
        assertThat(defaults.group(2)).as("%s", defaults.group()).isEqualTo(":-");
        assertThat(defaults.group(3)).as("default of %s", defaults.group(1)).isEmpty();
      }
    }

    // No literal credentials either: a secret-looking key's value must be an interpolation.
    Pattern literal =
        Pattern.compile(
            "^\\s*([A-Z0-9_]*(PASSWORD|TOKEN|SECRET|ADMINKEY|APITOKEN)[A-Z0-9_]*)\\s*:\\s*(.+)$",
            Pattern.MULTILINE);
    Matcher l = literal.matcher(text);
    while (l.find()) {
      assertThat(l.group(3).trim())
          .as("%s must come from the env file", l.group(1))
          .matches("\\$\\{[A-Z0-9_]+(:\\?[^}]*|:-)}");
    }
  }

  @Test
  void everyMissingSecretStopsComposeWithAnErrorNamingIt(@TempDir Path tmp) throws Exception {
    List<String> envLines = Files.readAllLines(exampleEnv, StandardCharsets.UTF_8);
    // Every secret the compose file requires (${NAME:?...}).
    Set<String> secrets = new LinkedHashSet<>();
    Matcher m = INTERPOLATION.matcher(Files.readString(compose, StandardCharsets.UTF_8));
    while (m.find()) {
      if (SECRET_NAME.matcher(m.group(1)).matches() && ":?".equals(m.group(2))) {
        secrets.add(m.group(1));
      }
    }
    assertThat(secrets)
        .contains(
            "POSTGRES_PASSWORD",
            "SPOQ_BOOTSTRAP_ADMIN_KEY",
            "SPOQ_DNSAPI_SERVICE_TOKEN",
            "SPOQ_RELAYCOORDINATOR_SERVICE_TOKEN",
            "SPOQ_JUMPROUTER_SERVICE_TOKEN",
            "FRPS_AUTH_TOKEN",
            "FRPS_PLUGIN_SECRET",
            "FRPS_ADMIN_PASSWORD",
            "SPOQ_RELAY_CREDENTIAL_KEY");
    for (String secret : secrets) {
      List<String> without = new ArrayList<>();
      for (String line : envLines) {
        if (!line.startsWith(secret + "=")) {
          without.add(line);
        }
      }
      Path env = tmp.resolve("without-" + secret + ".env");
      Files.write(env, without, StandardCharsets.UTF_8);
      Result result = config(env);
      assertThat(result.exitCode()).as("compose config without %s must fail", secret).isNotZero();
      assertThat(result.stderr()).as("error names %s", secret).contains(secret);
    }
  }

  @Test
  void exampleEnvOnlyHoldsObviousPlaceholdersForSecrets() throws IOException {
    for (String line : Files.readAllLines(exampleEnv, StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (line.startsWith("#") || eq <= 0) {
        continue;
      }
      String name = line.substring(0, eq);
      if (SECRET_NAME.matcher(name).matches()) {
        assertThat(line.substring(eq + 1)).as("%s in example.env", name).startsWith("CHANGE-ME");
      }
    }
  }

  private static Result config(Path envFile) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(composeCli);
    command.addAll(
        List.of(
            "-f",
            compose.toString(),
            "--project-directory",
            root.toString(),
            "--env-file",
            envFile.toString(),
            // The optional relay-server is in a profile; include it in the checked model.
            "--profile",
            "relay-server",
            "config"));
    return Result.run(command, root);
  }

  private static List<String> dependsOn(Map<String, Map<String, Object>> services, String name) {
    Object deps = services.get(name).get("depends_on");
    return deps == null
        ? List.of()
        : new ArrayList<>(((Map<?, ?>) deps).keySet().stream().map(String::valueOf).toList());
  }

  private static Map<String, Object> env(Map<String, Map<String, Object>> services, String name) {
    return cast(services.get(name).get("environment"));
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  record Result(int exitCode, String stdout, String stderr) {

    static Result run(List<String> command, Path dir) throws IOException, InterruptedException {
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
      // Only the env file may supply values: a clean environment, so nothing leaks in from CI.
      Map<String, String> env = pb.environment();
      String path = env.get("PATH");
      String home = env.get("HOME");
      env.clear();
      env.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
      env.put("HOME", home == null ? "/tmp" : home);
      Path out = Files.createTempFile("compose", ".out");
      Path err = Files.createTempFile("compose", ".err");
      try {
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException("compose config did not finish: " + command);
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    }
  }
}
