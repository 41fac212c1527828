package dev.spoq.agent.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.SocketChannel;

/** Copies bytes both ways between two channels on two threads, closing both at the end. */
final class Pump {

  private Pump() {}

  static void bridge(SocketChannel a, SocketChannel b) {
    start(a, b);
    start(b, a);
  }

  private static void start(ByteChannel from, ByteChannel to) {
    Thread t =
        new Thread(
            () -> {
              ByteBuffer buf = ByteBuffer.allocate(16384);
              try {
                while (from.read(buf) >= 0) {
                  buf.flip();
                  while (buf.hasRemaining()) {
                    to.write(buf);
                  }
                  buf.clear();
                }
              } catch (IOException ignored) {
                // peer closed
              } finally {
                close(from);
                close(to);
              }
            },
            "pump");
    t.setDaemon(true);
    t.start();
  }

  private static void close(ByteChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
