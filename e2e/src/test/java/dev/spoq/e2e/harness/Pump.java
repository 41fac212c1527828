package dev.spoq.e2e.harness;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

/** Copies bytes both ways between two connected channels until either side closes. */
final class Pump {

  private Pump() {}

  static void bridge(SocketChannel a, SocketChannel b) {
    Thread ab = new Thread(() -> copy(a, b), "pump");
    Thread ba = new Thread(() -> copy(b, a), "pump");
    ab.setDaemon(true);
    ba.setDaemon(true);
    ab.start();
    ba.start();
  }

  private static void copy(ByteChannel from, SocketChannel to) {
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buf) >= 0) {
        buf.flip();
        while (buf.hasRemaining()) {
          to.write(buf);
        }
        buf.clear();
      }
    } catch (IOException closed) {
      // either side went away
    } finally {
      try {
        to.shutdownOutput();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}
