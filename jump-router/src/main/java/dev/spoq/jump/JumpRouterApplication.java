package dev.spoq.jump;

import java.util.Arrays;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/**
 * The SSH router. Its only database state is what replicas share: bans and failure counts (schema
 * {@code jump_router}, Flyway).
 */
@SpringBootApplication
public class JumpRouterApplication {

  static final String HELP =
      """
      jump-router: SSH entry point for Spoq Cloud users (ProxyJump + direct login).

      Usage: java -jar jump-router-exec.jar [--property=value ...]
      Environment variables work too (SPOQ_REGISTRY_BASEURL, SPOQ_JUMP_SSH_PORT, ...).

        --spoq.registry.base-url=URL            device registry (default http://localhost:8081)
        --spoq.registry.service-token=TOKEN     this service's registry credential
        --server.port=PORT                      HTTP: health, metrics, keys (default 8084)
        --spoq.jump.ssh.port=PORT               SSH listener (default 2222)
        --spoq.jump.ssh.bind-address=ADDR       (default 0.0.0.0)
        --spoq.jump.ssh.host-key-path=FILE      ed25519 host key, created on first start
        --spoq.jump.upstream.client-key-path=F  router's key towards containers, created on first start
        --spoq.jump.upstream.login-user=NAME    container account (default: the Spoq username)
        --spoq.jump.timeouts.login-grace=30s    --spoq.jump.timeouts.idle=30m
        --spring.datasource.url=JDBC_URL        PostgreSQL for bans shared by replicas
        --spoq.jump.limits.max-auth-failures=5  --spoq.jump.limits.ban-duration=10m
        --spoq.jump.limits.unauthenticated-per-minute-per-ip=30
        --spoq.jump.limits.max-startups=10:30:100
        --spoq.jump.limits.max-sessions-per-user=10
        --spoq.jump.cache.key-ttl=20s           how long registry keys are reused

      See jump-router/README.md for the full reference.
      """;

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.print(HELP);
      return;
    }
    new SpringApplicationBuilder(JumpRouterApplication.class)
        .properties("spring.config.name=jump-router")
        .run(args);
  }
}
