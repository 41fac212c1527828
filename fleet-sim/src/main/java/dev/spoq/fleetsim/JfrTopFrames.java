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
 * The hottest methods of a JFR recording: top frames of the execution samples taken while the load
 * was measured (start-up and enrolment left out).
 */
final class JfrTopFrames {

  private JfrTopFrames() {}

  static String summary(String service, Path jfr, int limit, Instant from) {
    Map<String, Integer> top = new HashMap<>();
    Map<String, Integer> ownCode = new HashMap<>();
    int samples = 0;
    try {
      for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")
            || e.getStackTrace() == null) {
          continue;
        }
        List<RecordedFrame> frames = e.getStackTrace().getFrames();
        if (frames.isEmpty()) {
          continue;
        }
        samples++;
        top.merge(name(frames.get(0)), 1, Integer::sum);
        // The first frame in the project's own code: which of its paths the time is spent under.
        for (RecordedFrame f : frames) {
          if (f.getMethod().getType().getName().startsWith("dev.spoq.")) {
            ownCode.merge(name(f), 1, Integer::sum);
            break;
          }
        }
      }
    } catch (IOException e) {
      return service + ": cannot read " + jfr + ": " + e.getMessage();
    }
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "JFR %s (%s): %d execution samples since %s (the measured holds)%n",
            service, jfr, samples, from));
    out.append("  top frames:\n");
    append(out, top, samples, limit);
    out.append("  innermost dev.spoq frame of each sample:\n");
    append(out, ownCode, samples, limit);
    return out.toString();
  }

  private static void append(StringBuilder out, Map<String, Integer> counts, int total, int limit) {
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
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
