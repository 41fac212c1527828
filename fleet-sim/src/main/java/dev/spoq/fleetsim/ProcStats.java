package dev.spoq.fleetsim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What Linux's /proc says about the machine and the processes of a run: load average, CPU time
 * consumed, open file descriptors. Every reader answers -1 when the figure cannot be read.
 */
final class ProcStats {

  /** USER_HZ: the unit of utime/stime in /proc/[pid]/stat on every Linux the JDK supports. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /** The 1-minute load average. */
  static double loadAverage1m() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** CPU seconds (user + system) the process has used so far. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name may hold spaces; the fields after its closing parenthesis do not.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After the name: state(0) ppid(1) ... utime(11) stime(12)
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** CPU seconds per process, for the processes still alive. */
  static Map<Long, Double> cpuSeconds(Collection<Long> pids) {
    Map<Long, Double> out = new HashMap<>();
    for (long pid : pids) {
      double s = cpuSeconds(pid);
      if (s >= 0) {
        out.put(pid, s);
      }
    }
    return out;
  }

  /**
   * CPU seconds used between two readings of the same processes; a process first seen in {@code
   * after} counts with all its time.
   */
  static double cpuDelta(Map<Long, Double> before, Map<Long, Double> after) {
    double sum = 0;
    for (Map.Entry<Long, Double> e : after.entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
    }
    return sum;
  }

  /** Open file descriptors of the process (sockets included). */
  static int openFiles(long pid) {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return (int) fds.count();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The soft limit on open files of the process ({@code Max open files}). */
  static long openFilesLimit(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
        if (line.startsWith("Max open files")) {
          return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
