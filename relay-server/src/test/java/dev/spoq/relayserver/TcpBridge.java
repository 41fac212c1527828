package dev.spoq.relayserver;

import dev.spoq.testsupport.netns.NetworkNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Lets a process in a test namespace reach a service the test runs on the root namespace's
 * loopback: listens on 127.0.0.1:port inside the namespace and connects each client to the current
 * target on the root loopback. {@link #retarget} follows a restarted service to its new port.
 */
final class TcpBridge implements AutoCloseable {

  private final ServerSocket server;
  private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
  private volatile int targetPort;
  private volatile boolean open = true;

  TcpBridge(NetworkNamespace ns, int listenPort, int targetPort) {
    this.targetPort = targetPort;
    this.server =
        Netns.inside(
            ns,
            () -> {
              ServerSocket s = new ServerSocket();
              s.bind(new InetSocketAddress("127.0.0.1", listenPort));
              return s;
            });
    // The accept thread may live anywhere; connections out are made by a root-namespace thread.
    Thread acceptor = new Thread(this::acceptLoop, "bridge-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    Thread connector = new Thread(this::connectLoop, "bridge-connect");
    connector.setDaemon(true);
    connector.start();
  }

  void retarget(int port) {
    this.targetPort = port;
  }

  private void acceptLoop() {
    while (open) {
      try {
        accepted.add(server.accept());
      } catch (IOException e) {
        return;
      }
    }
  }

  private void connectLoop() {
    while (open) {
      Socket in;
      try {
        in = accepted.take();
      } catch (InterruptedException e) {
        return;
      }
      try {
        Socket out = new Socket();
        out.connect(new InetSocketAddress("127.0.0.1", targetPort), 2000);
        pump(in, out);
        pump(out, in);
      } catch (IOException e) {
        closeQuietly(in);
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    Thread t =
        new Thread(
            () -> {
              try (InputStream is = from.getInputStream();
                  OutputStream os = to.getOutputStream()) {
                is.transferTo(os);
              } catch (IOException ignored) {
                // connection closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "bridge-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    open = false;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
