package dev.spoq.agent.it;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What systemd does for {@code Type=notify}: a Unix datagram socket ({@code $NOTIFY_SOCKET}) that
 * collects the service's messages. The JDK cannot bind datagram Unix sockets, hence libc via JNA.
 */
final class NotifySocket implements AutoCloseable {

  interface LibC extends Library {
    int socket(int domain, int type, int protocol);

    int bind(int fd, byte[] addr, int len);

    long recv(int fd, byte[] buf, long len, int flags);

    int close(int fd);
  }

  private static final LibC C = Native.load("c", LibC.class);
  private static final int MSG_DONTWAIT = 0x40;

  final Path path;
  private final int fd;
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private volatile boolean open = true;

  NotifySocket(Path path) {
    this.path = path;
    fd = C.socket(1, 2, 0);
    byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
    byte[] addr = new byte[2 + p.length + 1];
    addr[0] = 1;
    System.arraycopy(p, 0, addr, 2, p.length);
    if (fd < 0 || C.bind(fd, addr, addr.length) != 0) {
      throw new IllegalStateException("cannot bind " + path);
    }
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[4096];
              while (open) {
                long n = C.recv(fd, buf, buf.length, MSG_DONTWAIT);
                if (n > 0) {
                  messages.add(new String(buf, 0, (int) n, StandardCharsets.UTF_8));
                } else {
                  Wait.sleep(50);
                }
              }
            },
            "notify-socket");
    t.setDaemon(true);
    t.start();
  }

  List<String> messages() {
    return List.copyOf(messages);
  }

  @Override
  public void close() {
    open = false;
    C.close(fd);
    path.toFile().delete();
  }
}
