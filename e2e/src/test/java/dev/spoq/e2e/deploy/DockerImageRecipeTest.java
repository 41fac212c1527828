package dev.spoq.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.spoq.e2e.RepoPaths;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the steps of {@code deploy/docker/Dockerfile} that do not need an engine: the Spring Boot
 * layer extraction on a real service jar, and the image's health-check script against a live HTTP
 * endpoint.
 */
@Tag("deploy")
class DockerImageRecipeTest {

  private final Path dockerfile = RepoPaths.root().resolve("deploy/docker/Dockerfile");
  private final Path healthcheck = RepoPaths.root().resolve("deploy/docker/healthcheck.sh");

  @Test
  void layeredExtractionProducesTheLayersAndLauncherTheImageCopies(@TempDir Path tmp)
      throws Exception {
    Path jar = RepoPaths.execJar("device-registry");
    Process p =
        new ProcessBuilder(
                javaBin(),
                "-Djarmode=tools",
                "-jar",
                jar.toString(),
                "extract",
                "--layers",
                "--launcher",
                "--destination",
                tmp.resolve("extracted").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    String recipe = Files.readString(dockerfile);
    Matcher copies = Pattern.compile("/layers/extracted/([a-z-]+)/").matcher(recipe);
    int layers = 0;
    while (copies.find()) {
      layers++;
      assertThat(tmp.resolve("extracted").resolve(copies.group(1)))
          .as("layer %s copied by the Dockerfile", copies.group(1))
          .isDirectory();
    }
    assertThat(layers).isEqualTo(4);
    Matcher entry = Pattern.compile("ENTRYPOINT \\[\"java\", \"([a-zA-Z.]+)\"]").matcher(recipe);
    assertThat(entry.find()).isTrue();
    assertThat(
            tmp.resolve("extracted/spring-boot-loader")
                .resolve(entry.group(1).replace('.', '/') + ".class"))
        .as("the ENTRYPOINT's launcher class is in the loader layer")
        .isRegularFile();
    assertThat(
            tmp.resolve(
                "extracted/application/BOOT-INF/classes/dev/spoq/registry/DeviceRegistryApplication.class"))
        .as("the application layer holds the service's own classes")
        .isRegularFile();
    assertThat(tmp.resolve("extracted/dependencies/BOOT-INF/lib"))
        .as("the dependencies layer holds the libraries")
        .isDirectoryContaining("glob:**spring-core-*.jar");
    assertThat(recipe).contains("USER spoq:spoq").contains("HEALTHCHECK");
  }

  @Test
  void aServiceStartsFromTheLayersLikeTheImageAndPassesItsHealthCheck(@TempDir Path tmp)
      throws Exception {
    // The image copies the four layers into /app and runs the launcher there; jump-router starts
    // here for real on a test database (it keeps its shared bans in PostgreSQL).
    Path jar = RepoPaths.execJar("jump-router");
    Path extracted = tmp.resolve("extracted");
    Process extract =
        new ProcessBuilder(
                javaBin(),
                "-Djarmode=tools",
                "-jar",
                jar.toString(),
                "extract",
                "--layers",
                "--launcher",
                "--destination",
                extracted.toString())
            .redirectErrorStream(true)
            .start();
    String extractOut = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(extract.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(extract.exitValue()).as(extractOut).isZero();
    Path app = tmp.resolve("app");
    for (String layer :
        List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
      copyTree(extracted.resolve(layer), app);
    }
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin(),
                "-XX:TieredStopAtLevel=1",
                "org.springframework.boot.loader.launch.JarLauncher")
            .directory(app.toFile())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("service.log").toFile());
    Map<String, String> env = pb.environment();
    env.put("SERVER_PORT", String.valueOf(port));
    env.put("SERVER_ADDRESS", "127.0.0.1");
    env.put("SPOQ_JUMP_SSH_PORT", "0");
    env.put("SPOQ_JUMP_SSH_BINDADDRESS", "127.0.0.1");
    env.put("SPOQ_JUMP_SSH_HOSTKEYPATH", tmp.resolve("keys/host").toString());
    env.put("SPOQ_JUMP_UPSTREAM_CLIENTKEYPATH", tmp.resolve("keys/upstream").toString());
    env.put("SPOQ_REGISTRY_BASEURL", "http://127.0.0.1:9");
    TestPostgres.Database database = TestPostgres.newDatabase("image-recipe");
    env.put("SPRING_DATASOURCE_URL", database.jdbcUrl());
    env.put("SPRING_DATASOURCE_USERNAME", database.username());
    env.put("SPRING_DATASOURCE_PASSWORD", database.password());
    Process service = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      boolean healthy = false;
      while (!healthy && System.nanoTime() < deadline && service.isAlive()) {
        healthy = runHealthcheck(port) == 0;
        if (!healthy) {
          Thread.sleep(500);
        }
      }
      assertThat(healthy)
          .as(
              "the image's health check accepts the service started from its layers:%n%s",
              Files.readString(tmp.resolve("service.log")))
          .isTrue();
      assertThat(Files.readString(tmp.resolve("service.log")))
          .contains("Started JumpRouterApplication");
    } finally {
      service.destroy();
      if (!service.waitFor(15, TimeUnit.SECONDS)) {
        service.destroyForcibly();
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  @Test
  void healthCheckScriptPassesOnlyWhenReadinessIsUp() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String[] answer = {"UP"};
    server.createContext(
        "/actuator/health/readiness",
        exchange -> {
          byte[] body = ("{\"status\":\"" + answer[0] + "\"}").getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders("UP".equals(answer[0]) ? 200 : 503, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      int port = server.getAddress().getPort();
      assertThat(runHealthcheck(port)).isZero();
      answer[0] = "OUT_OF_SERVICE";
      assertThat(runHealthcheck(port)).isNotZero();
    } finally {
      server.stop(0);
    }
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    assertThat(runHealthcheck(closedPort)).as("nothing listening").isNotZero();
  }

  private int runHealthcheck(int port) throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("bash", healthcheck.toString()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("MANAGEMENT_SERVER_PORT");
    env.put("SERVER_PORT", String.valueOf(port));
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
