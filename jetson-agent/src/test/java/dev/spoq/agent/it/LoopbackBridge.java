package dev.spoq.agent.it;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Makes a service listening on the test JVM's loopback ({@code 127.0.0.1:targetPort}) reachable as
 * {@code 127.0.0.1:nsPort} inside a namespace, through a Unix socket.
 */
public final class LoopbackBridge implements AutoCloseable {

  private final ServerSocketChannel server;
  private final Path socket;
  private final ManagedProcess inside;

  private LoopbackBridge(ServerSocketChannel server, Path socket, ManagedProcess inside) {
    this.server = server;
    this.socket = socket;
    this.inside = inside;
  }

  public static LoopbackBridge open(NetworkNamespace ns, int nsPort, int targetPort, Path dir) {
    try {
      Files.createDirectories(dir);
      Path socket =
          dir.resolve("bridge-" + nsPort + "-" + NetworkNamespace.randomSuffix(3) + ".sock");
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread accept =
          new Thread(
              () -> {
                while (server.isOpen()) {
                  try {
                    SocketChannel in = server.accept();
                    SocketChannel out =
                        SocketChannel.open(new InetSocketAddress("127.0.0.1", targetPort));
                    Pump.bridge(in, out);
                  } catch (IOException e) {
                    if (!server.isOpen()) {
                      return;
                    }
                  }
                }
              },
              "bridge-" + targetPort);
      accept.setDaemon(true);
      accept.start();
      ManagedProcess inside =
          ns.start(
              "bridge-" + nsPort,
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx32m",
                  "-XX:TieredStopAtLevel=1",
                  "-cp",
                  System.getProperty("java.class.path"),
                  UnixToTcp.class.getName(),
                  "127.0.0.1",
                  String.valueOf(nsPort),
                  socket.toString()),
              dir.resolve("bridge-" + nsPort + ".log"));
      Wait.until(
          "bridge listening in " + ns.name(),
          Duration.ofSeconds(20),
          () -> inside.output().contains("listening") || !inside.isAlive(),
          inside::output);
      return new LoopbackBridge(server, socket, inside);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    inside.close();
    try {
      server.close();
      Files.deleteIfExists(socket);
    } catch (IOException ignored) {
      // temp dir
    }
  }
}
