package dev.spoq.fleetsim;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * The hottest methods and the biggest allocation sites of a JFR recording, counting only what
 * happened inside the measured holds (the recording starts after warm-up; the enrolment of the next
 * size between two holds is left out as well).
 */
final class JfrTopFrames {

  /** A measured hold. */
  record Window(Instant from, Instant to) {
    boolean contains(Instant t) {
      return !t.isBefore(from) && !t.isAfter(to);
    }
  }

  private JfrTopFrames() {}

  static String summary(String service, Path jfr, int limit, List<Window> windows) {
    Map<String, Long> top = new HashMap<>();
    Map<String, Long> ownCode = new HashMap<>();
    Map<String, Long> allocatedClasses = new HashMap<>();
    Map<String, Long> allocationSites = new HashMap<>();
    long samples = 0;
    long allocated = 0;
    try {
      for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
        String type = e.getEventType().getName();
        boolean cpu = type.equals("jdk.ExecutionSample");
        boolean allocation = type.equals("jdk.ObjectAllocationSample");
        if ((!cpu && !allocation)
            || e.getStackTrace() == null
            || windows.stream().noneMatch(w -> w.contains(e.getStartTime()))) {
          continue;
        }
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        if (frames.isEmpty()) {
          continue;
        }
        if (cpu) {
          samples++;
          top.merge(name(frames.get(0)), 1L, Long::sum);
          // The first frame in the project's own code: which of its paths the time is spent under.
          for (RecordedFrame f : frames) {
            if (f.getMethod().getType().getName().startsWith("dev.spoq.")) {
              ownCode.merge(name(f), 1L, Long::sum);
              break;
            }
          }
        } else {
          long weight = e.getLong("weight");
          allocated += weight;
          allocatedClasses.merge(e.getClass("objectClass").getName(), weight, Long::sum);
          allocationSites.merge(allocationSite(frames), weight, Long::sum);
        }
      }
    } catch (IOException e) {
      return service + ": cannot read " + jfr + ": " + e.getMessage();
    }
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "JFR %s (%s): %d execution samples and %d MiB sampled allocation in the measured holds%n",
            service, jfr, samples, allocated >> 20));
    out.append("  top frames (share of CPU samples):\n");
    append(out, top, samples, limit);
    out.append("  innermost dev.spoq frame of each CPU sample:\n");
    append(out, ownCode, samples, limit);
    out.append("  allocation by class (share of sampled bytes):\n");
    append(out, allocatedClasses, allocated, limit / 2);
    out.append("  allocation sites (first frame outside java.*/jdk.*/sun.*):\n");
    append(out, allocationSites, allocated, limit / 2);
    return out.toString();
  }

  /** The frame that asked for the memory: the first one outside the JDK's own packages. */
  private static String allocationSite(List<RecordedFrame> frames) {
    for (RecordedFrame f : frames) {
      String type = f.getMethod().getType().getName();
      if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun.")) {
        return name(f);
      }
    }
    return name(frames.get(0));
  }

  private static void append(StringBuilder out, Map<String, Long> counts, long total, int limit) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(limit)
        .forEach(
            e ->
                out.append(
                    String.format(
                        "    %5.1f%%  %s%n",
                        100.0 * e.getValue() / Math.max(1, total), e.getKey())));
  }

  private static String name(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }
}
