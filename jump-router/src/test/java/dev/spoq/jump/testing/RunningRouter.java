package dev.spoq.jump.testing;

import dev.spoq.jump.JumpRouterApplication;
import dev.spoq.jump.ssh.JumpSshServer;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real jump-router, started in-process on free ports (SSH on 127.0.0.1) with its keys in a
 * directory of the caller, on a fresh PostgreSQL database unless {@code spring.datasource.url} is
 * given. Other modules' tests may use it too.
 */
public final class RunningRouter implements AutoCloseable {

  private final ConfigurableApplicationContext context;

  private RunningRouter(ConfigurableApplicationContext context) {
    this.context = context;
  }

  /**
   * Starts the router.
   *
   * @param extra more properties ({@code spoq.jump.limits.max-auth-failures=3}, ...)
   */
  public static RunningRouter start(
      String registryBaseUrl, String serviceToken, Path stateDir, Map<String, String> extra) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("spring.config.name", "jump-router");
    props.put("server.port", "0");
    props.put("spoq.registry.base-url", registryBaseUrl);
    props.put("spoq.registry.service-token", serviceToken);
    props.put("spoq.jump.ssh.port", "0");
    props.put("spoq.jump.ssh.bind-address", "127.0.0.1");
    props.put("spoq.jump.ssh.host-key-path", stateDir.resolve("ssh_host_ed25519_key").toString());
    props.put(
        "spoq.jump.upstream.client-key-path", stateDir.resolve("upstream_ed25519_key").toString());
    props.put("spoq.jump.upstream.login-user", System.getProperty("user.name"));
    if (!extra.containsKey("spring.datasource.url")) {
      props.putAll(database(TestPostgres.newDatabase("jump_router")));
    }
    props.putAll(extra);
    // As command-line arguments: they win over the module's jump-router.yml.
    String[] args =
        props.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(JumpRouterApplication.class).run(args);
    return new RunningRouter(context);
  }

  /**
   * The {@code spring.datasource.*} properties of a database, to start several routers (replicas)
   * on one database.
   */
  public static Map<String, String> database(TestPostgres.Database db) {
    return Map.of(
        "spring.datasource.url", db.jdbcUrl(),
        "spring.datasource.username", db.username(),
        "spring.datasource.password", db.password());
  }

  public JumpSshServer server() {
    return context.getBean(JumpSshServer.class);
  }

  public int sshPort() {
    return server().port();
  }

  public String httpBaseUrl() {
    return "http://127.0.0.1:"
        + context.getEnvironment().getProperty("local.server.port", Integer.class);
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  @Override
  public void close() {
    context.close();
  }
}
