package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.postgres.TestPostgres;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The test PostgreSQL ({@link TestPostgres}, started in the harness JVM's namespace) made reachable
 * as {@code 127.0.0.1:5432} inside a namespace: harness side, a Unix socket that forwards to the
 * database's TCP port; namespace side, a {@link UnixForwarder} process.
 */
public final class PostgresBridge implements AutoCloseable {

  public static final int PORT = 5432;

  private final TestPostgres.Database database;
  private final ServerSocketChannel unixServer;
  private final Path socket;
  private final ManagedProcess forwarder;
  private final Thread acceptor;
  private final Path workDir;
  private final List<ManagedProcess> extraForwarders = new java.util.ArrayList<>();

  public PostgresBridge(NetworkNamespace ns, Path workDir) {
    database = TestPostgres.newDatabase("e2e");
    URI uri = URI.create(database.jdbcUrl().substring("jdbc:".length()));
    InetSocketAddress target = new InetSocketAddress(uri.getHost(), uri.getPort());
    try {
      socket = workDir.resolve("pg.sock");
      Files.deleteIfExists(socket);
      unixServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      unixServer.bind(UnixDomainSocketAddress.of(socket));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    acceptor =
        new Thread(
            () -> {
              while (unixServer.isOpen()) {
                try {
                  SocketChannel client = unixServer.accept();
                  SocketChannel pg = SocketChannel.open(target);
                  Pump.bridge(client, pg);
                } catch (IOException e) {
                  if (!unixServer.isOpen()) {
                    return;
                  }
                }
              }
            },
            "pg-bridge");
    acceptor.setDaemon(true);
    acceptor.start();
    this.workDir = workDir;
    forwarder = forwarder(ns);
  }

  private ManagedProcess forwarder(NetworkNamespace ns) {
    ManagedProcess p =
        ns.start(
            "pg-forwarder",
            List.of(
                Java.bin(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                Java.testClasses(),
                UnixForwarder.class.getName(),
                "127.0.0.1",
                String.valueOf(PORT),
                socket.toString()),
            workDir.resolve("logs/pg-forwarder-" + ns.name() + ".log"));
    Ports.awaitTcp(ns, PORT, p, Duration.ofSeconds(30));
    return p;
  }

  /**
   * Makes the same database reachable as {@code 127.0.0.1:5432} in another namespace too (another
   * cloud host); the forwarder ends with that namespace or with {@link #close()}.
   */
  public synchronized void forwardInto(NetworkNamespace ns) {
    extraForwarders.add(forwarder(ns));
  }

  /** JDBC URL as seen from inside the namespace. */
  public String jdbcUrl() {
    String url = database.jdbcUrl();
    String dbName = url.substring(url.lastIndexOf('/') + 1);
    return "jdbc:postgresql://127.0.0.1:" + PORT + "/" + dbName;
  }

  /** JDBC URL as seen from the harness JVM (to set up or inspect data directly). */
  public String harnessJdbcUrl() {
    return database.jdbcUrl();
  }

  public String username() {
    return database.username();
  }

  public String password() {
    return database.password();
  }

  @Override
  public void close() {
    extraForwarders.forEach(ManagedProcess::close);
    forwarder.close();
    try {
      unixServer.close();
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
