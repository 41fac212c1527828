package dev.spoq.testsupport.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * One real PostgreSQL server per test JVM: a Testcontainers container when a Docker engine answers,
 * otherwise the embedded binaries from Maven Central. Never an in-memory imitation.
 *
 * <p>Each call of {@link #newDatabase(String)} creates a fresh database on that server, so test
 * classes do not see each other's rows.
 */
public final class TestPostgres {

  private static final Logger log = LoggerFactory.getLogger(TestPostgres.class);
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static volatile Server server;

  /** Where a test database lives. */
  public record Database(String jdbcUrl, String username, String password) {}

  private record Server(String baseUrl, String username, String password, String kind) {}

  private TestPostgres() {}

  /** A new, empty database on the shared server. */
  public static Database newDatabase(String purpose) {
    Server s = server();
    String name =
        (purpose.toLowerCase().replaceAll("[^a-z0-9]", "_") + "_" + DATABASES.incrementAndGet());
    if (name.length() > 60) {
      name = name.substring(name.length() - 60);
    }
    try (Connection c =
            DriverManager.getConnection(s.baseUrl + "postgres", s.username, s.password);
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE \"" + name + "\"");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + name, e);
    }
    return new Database(s.baseUrl + name, s.username, s.password);
  }

  /**
   * Registers {@code spring.datasource.*} for a fresh database; use from
   * {@code @DynamicPropertySource}.
   */
  public static Database register(DynamicPropertyRegistry registry, String purpose) {
    Database db = newDatabase(purpose);
    registry.add("spring.datasource.url", db::jdbcUrl);
    registry.add("spring.datasource.username", db::username);
    registry.add("spring.datasource.password", db::password);
    return db;
  }

  /** Which implementation backs the server: {@code testcontainers} or {@code embedded}. */
  public static String kind() {
    return server().kind;
  }

  private static Server server() {
    Server s = server;
    if (s == null) {
      synchronized (TestPostgres.class) {
        s = server;
        if (s == null) {
          s = start();
          server = s;
        }
      }
    }
    return s;
  }

  private static Server start() {
    if (!"true".equals(System.getenv("SPOQ_TEST_FORCE_EMBEDDED_POSTGRES")) && dockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
      String url = container.getJdbcUrl();
      String base = url.substring(0, url.lastIndexOf('/') + 1);
      log.info("Test PostgreSQL: Testcontainers at {}", base);
      return new Server(base, container.getUsername(), container.getPassword(), "testcontainers");
    }
    try {
      EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      pg.close();
                    } catch (IOException e) {
                      log.warn("embedded PostgreSQL did not stop cleanly", e);
                    }
                  }));
      String base = "jdbc:postgresql://localhost:" + pg.getPort() + "/";
      log.info("Test PostgreSQL: embedded binaries at {} (no Docker engine)", base);
      return new Server(base, "postgres", "postgres", "embedded");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }
}
