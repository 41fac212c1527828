package dev.spoq.e2e.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A stand-in for one replica behind the balancer, run as its own process so a test can kill it with
 * SIGKILL. It answers every HTTP request with {@code <name> <method> <path>} and logs the same line
 * to stdout; in {@code drop} mode it reads the request and closes the connection without an answer,
 * like a replica dying mid-request. A PROXY protocol line before the request (the SSH balancer's)
 * is logged and skipped. The services themselves are exercised behind this same config by the e2e
 * scenarios; this process only makes the balancer's choices observable.
 *
 * <p>Usage: {@code ReplicaStub <bind address> <port> <name> <ok|drop|unavailable>}
 */
final class ReplicaStub {

  private ReplicaStub() {}

  public static void main(String[] args) throws IOException {
    InetAddress bind = InetAddress.getByName(args[0]);
    int port = Integer.parseInt(args[1]);
    String name = args[2];
    String mode = args[3];
    try (ServerSocket server = new ServerSocket()) {
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(bind, port), 64);
      System.out.println("listening " + name);
      System.out.flush();
      while (true) {
        Socket socket = server.accept();
        Thread worker = new Thread(() -> serve(socket, name, mode));
        worker.setDaemon(true);
        worker.start();
      }
    }
  }

  private static void serve(Socket socket, String name, String mode) {
    try (socket) {
      socket.setSoTimeout(30_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = socket.getOutputStream();
      // Bounded: one connection serves at most 1,000 keep-alive requests.
      for (int i = 0; i < 1_000; i++) {
        String requestLine = in.readLine();
        if (i == 0 && requestLine != null && requestLine.startsWith("PROXY ")) {
          // the SSH stream balancer's PROXY protocol header, logged as received
          synchronized (System.out) {
            System.out.println(name + " " + requestLine);
            System.out.flush();
          }
          requestLine = in.readLine();
        }
        if (requestLine == null || requestLine.isEmpty()) {
          return;
        }
        int length = 0;
        for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
          if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(h.substring(15).trim());
          }
        }
        for (int n = 0; n < length; n++) {
          in.read();
        }
        String[] parts = requestLine.split(" ");
        String line = name + " " + parts[0] + " " + parts[1];
        synchronized (System.out) {
          System.out.println(line);
          System.out.flush();
        }
        if (mode.equals("drop")) {
          return;
        }
        boolean unavailable = mode.equals("unavailable");
        byte[] body = (line + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(
            ((unavailable ? "HTTP/1.1 503 Service Unavailable" : "HTTP/1.1 200 OK")
                    + "\r\nContent-Type: text/plain\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // the peer went away; nothing to answer
    }
  }
}
