package dev.spoq.agent.it;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Runs inside a namespace: accepts TCP on {@code host:port} and forwards each connection to a Unix
 * socket, whose other end ({@link LoopbackBridge}) lives in the test JVM. The file system is shared
 * between network namespaces, so the agent in a namespace reaches the in-process control plane
 * without any route into the root namespace.
 */
public final class UnixToTcp {

  private UnixToTcp() {}

  public static void main(String[] args) throws Exception {
    UnixDomainSocketAddress target = UnixDomainSocketAddress.of(Path.of(args[2]));
    try (ServerSocketChannel server = ServerSocketChannel.open()) {
      server.bind(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])));
      System.out.println("listening");
      while (true) {
        SocketChannel client = server.accept();
        try {
          SocketChannel upstream = SocketChannel.open(StandardProtocolFamily.UNIX);
          upstream.connect(target);
          Pump.bridge(client, upstream);
        } catch (Exception e) {
          client.close();
        }
      }
    }
  }
}
