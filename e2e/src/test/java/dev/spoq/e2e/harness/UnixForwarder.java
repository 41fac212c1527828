package dev.spoq.e2e.harness;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Runs inside a namespace: accepts TCP on {@code host:port} and forwards each connection to a Unix
 * socket. Together with {@link PostgresBridge} (the other end, in the harness JVM) it lets the
 * services in the cloud namespace use the test PostgreSQL, without any route into the root
 * namespace: the file system is shared between network namespaces, the network is not.
 *
 * <p>Usage: {@code UnixForwarder <listen-host> <listen-port> <unix-socket-path>}
 */
public final class UnixForwarder {

  private UnixForwarder() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: UnixForwarder <listen-host> <listen-port> <unix-socket>");
      System.exit(2);
    }
    UnixDomainSocketAddress target = UnixDomainSocketAddress.of(Path.of(args[2]));
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])));
      System.out.println("forwarding " + args[0] + ":" + args[1] + " -> " + args[2]);
      while (true) {
        SocketChannel client = server.accept();
        try {
          SocketChannel upstream = SocketChannel.open(StandardProtocolFamily.UNIX);
          upstream.connect(target);
          Pump.bridge(client, upstream);
        } catch (Exception e) {
          System.err.println("cannot reach " + target + ": " + e.getMessage());
          client.close();
        }
      }
    }
  }
}
