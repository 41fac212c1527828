package dev.spoq.agent.systemd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sd_notify(3)} without libsystemd: a datagram to {@code $NOTIFY_SOCKET}. The JDK cannot
 * send Unix-domain datagrams (only stream sockets), and {@code systemd-notify} runs as another PID
 * that systemd may not attribute to the service, so this is the one place the agent uses JNA (libc
 * {@code socket}/{@code sendto}).
 */
public final class SdNotify {

  private static final Logger log = LoggerFactory.getLogger(SdNotify.class);
  private static final int AF_UNIX = 1;
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_CLOEXEC = 0x80000;

  interface LibC extends Library {
    int socket(int domain, int type, int protocol);

    int sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen);

    int close(int fd);
  }

  private static volatile LibC libc;

  private SdNotify() {}

  public static boolean available() {
    String socket = System.getenv("NOTIFY_SOCKET");
    return socket != null && !socket.isEmpty();
  }

  /** Sends e.g. "READY=1" or "WATCHDOG=1"; false when there is no socket or sending failed. */
  public static boolean send(String state) {
    String path = System.getenv("NOTIFY_SOCKET");
    if (path == null || path.isEmpty()) {
      return false;
    }
    try {
      LibC c = libc();
      byte[] pathBytes = path.getBytes(StandardCharsets.UTF_8);
      if (pathBytes.length > 107) {
        log.warn("NOTIFY_SOCKET path too long");
        return false;
      }
      if (pathBytes[0] == '@') {
        pathBytes[0] = 0;
      }
      byte[] addr = new byte[2 + pathBytes.length + (path.startsWith("@") ? 0 : 1)];
      addr[0] = (byte) AF_UNIX;
      addr[1] = 0;
      System.arraycopy(pathBytes, 0, addr, 2, pathBytes.length);
      int fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        return false;
      }
      try {
        byte[] msg = state.getBytes(StandardCharsets.UTF_8);
        return c.sendto(fd, msg, msg.length, 0, addr, addr.length) == msg.length;
      } finally {
        c.close(fd);
      }
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      log.warn("sd_notify failed: {}", e.getMessage());
      return false;
    }
  }

  private static LibC libc() {
    if (libc == null) {
      libc = Native.load("c", LibC.class);
    }
    return libc;
  }

  /** The watchdog period systemd asked for ({@code $WATCHDOG_USEC}), or 0. */
  public static long watchdogMicros() {
    try {
      String usec = System.getenv("WATCHDOG_USEC");
      return usec == null ? 0 : Long.parseLong(usec);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
