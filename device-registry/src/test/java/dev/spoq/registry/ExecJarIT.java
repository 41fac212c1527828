package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.token.Tokens;
import dev.spoq.testsupport.postgres.TestPostgres;
import dev.spoq.testsupport.process.ManagedProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar starts with nothing but the launcher's environment variables (as the local stack
 * and docker-compose start it), on a real PostgreSQL, and logs structured JSON.
 */
class ExecJarIT {

  @TempDir Path dir;

  @Test
  void startsFromEnvironmentVariablesOnly() throws Exception {
    Path jar = Path.of("target/device-registry-0.1.0-SNAPSHOT-exec.jar");
    assertThat(jar).as("run 'package' first").exists();
    TestPostgres.Database db = TestPostgres.newDatabase("execjar");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String adminKey = Tokens.generate("spoq_key");
    String dnsToken = Tokens.generate("spoq_svc");
    Map<String, String> env =
        Map.of(
            "SERVER_PORT", String.valueOf(port),
            "SPRING_DATASOURCE_URL", db.jdbcUrl(),
            "SPRING_DATASOURCE_USERNAME", db.username(),
            "SPRING_DATASOURCE_PASSWORD", db.password(),
            "SPOQ_DOMAIN", "spoq.test",
            "SPOQ_SECURITY_BOOTSTRAPADMINKEY", adminKey,
            "SPOQ_SECURITY_SERVICETOKENS_DNSAPI", dnsToken);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve("registry.log");
    try (ManagedProcess process =
        ManagedProcess.start("device-registry", List.of(java, "-jar", jar.toString()), log, env)) {
      process.awaitTcp("127.0.0.1", port, Duration.ofSeconds(60));
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + port;
      HttpResponse<String> health = null;
      for (int i = 0; i < 100; i++) {
        health =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(health.statusCode()).as(process.output()).isEqualTo(200);
      HttpResponse<String> accounts =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/accounts"))
                  .header("Authorization", "Bearer " + adminKey)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(accounts.statusCode()).isEqualTo(200);
      HttpResponse<String> introspect =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/internal/v1/device-tokens/introspect"))
                  .header("Authorization", "Bearer " + dnsToken)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"nope\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(introspect.body()).isEqualTo("{\"active\":false}");
      String firstLine =
          Files.readAllLines(log).stream().filter(l -> l.startsWith("{")).findFirst().orElse("");
      assertThat(firstLine).contains("\"@timestamp\"").contains("\"log\"");
    }
  }
}
