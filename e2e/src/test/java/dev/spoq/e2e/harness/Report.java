package dev.spoq.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The readable report of a harness run: per scenario what it proved, the path used, handshake time,
 * SSH round trip and duration. Printed to the console and written to {@code
 * e2e/target/e2e-report.txt} (system property {@code spoq.e2e.report}).
 */
public final class Report {

  /** One scenario's outcome. */
  public static final class Entry {
    final String number;
    final String title;
    String status = "RUNNING";
    String path = "-";
    String handshake = "-";
    String sshRoundTrip = "-";
    Duration duration = Duration.ZERO;
    final List<String> proved = new ArrayList<>();
    final List<String> steps = new ArrayList<>();
    String reason;

    Entry(String number, String title) {
      this.number = number;
      this.title = title;
    }

    public Entry path(String value) {
      this.path = value;
      return this;
    }

    public Entry handshake(Duration d) {
      this.handshake = ms(d);
      return this;
    }

    public Entry sshRoundTrip(Duration d) {
      this.sshRoundTrip = ms(d);
      return this;
    }

    /** One timed step of a multi-step scenario: what happened, the path in use, how long. */
    public Entry step(String what, String pathInUse, Duration took) {
      String line = String.format("%-58s %-34s %s", what, pathInUse, ms(took));
      steps.add(line);
      System.out.println("  [" + number + "] step: " + line);
      return this;
    }

    public Entry proved(String line) {
      proved.add(line);
      System.out.println("  [" + number + "] proved: " + line);
      return this;
    }
  }

  private static final Map<String, Entry> entries = new LinkedHashMap<>();
  private static final List<String> notes = new ArrayList<>();
  private static Instant started = Instant.now();

  private Report() {}

  /** Marks the start of the run (before the world is built). */
  public static synchronized void start() {
    started = Instant.now();
  }

  public static synchronized Entry begin(String number, String title) {
    Entry e = new Entry(number, title);
    entries.put(number, e);
    System.out.println("=== Scenario " + number + ": " + title);
    return e;
  }

  public static synchronized void finish(Entry e, String status, Duration took, String reason) {
    e.status = status;
    e.duration = took;
    e.reason = reason;
    System.out.println(
        "=== Scenario "
            + e.number
            + " "
            + status
            + " in "
            + ms(took)
            + (reason == null ? "" : " (" + reason + ")"));
  }

  public static synchronized void note(String line) {
    notes.add(line);
  }

  public static synchronized String render() {
    StringBuilder out = new StringBuilder();
    out.append("Spoq end-to-end report (internet in a box)\n");
    out.append("run started ")
        .append(started)
        .append(", written ")
        .append(Instant.now())
        .append("\n\n");
    out.append(
        String.format(
            "%-3s %-44s %-8s %-42s %-10s %-9s %s%n",
            "#", "scenario", "result", "path used", "handshake", "ssh RTT", "took"));
    for (Entry e : entries.values()) {
      out.append(
          String.format(
              "%-3s %-44s %-8s %-42s %-10s %-9s %s%n",
              e.number, e.title, e.status, e.path, e.handshake, e.sshRoundTrip, ms(e.duration)));
    }
    out.append(
        "(handshake: from switching the phone's tunnel on to the completed WireGuard handshake;"
            + " ssh RTT: one `ssh host command` from connect to exit)\n\n");
    for (Entry e : entries.values()) {
      out.append("Scenario ")
          .append(e.number)
          .append(" - ")
          .append(e.title)
          .append(": ")
          .append(e.status)
          .append('\n');
      if (e.reason != null) {
        out.append("  why: ").append(e.reason).append('\n');
      }
      for (String p : e.proved) {
        out.append("  - ").append(p).append('\n');
      }
      if (!e.steps.isEmpty()) {
        out.append(String.format("  %-58s %-34s %s%n", "step", "path", "time"));
        for (String step : e.steps) {
          out.append("  ").append(step).append('\n');
        }
      }
    }
    if (!notes.isEmpty()) {
      out.append("\nNotes\n");
      for (String n : notes) {
        out.append("  - ").append(n).append('\n');
      }
    }
    return out.toString();
  }

  /** Writes the report file and prints it. */
  public static synchronized Path write() {
    String text = render();
    Path file =
        Path.of(System.getProperty("spoq.e2e.report", "target/e2e-report.txt")).toAbsolutePath();
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // scripts/e2e-demo.sh prints the file itself at the very end.
    if (!"false".equals(System.getenv("SPOQ_E2E_PRINT_REPORT"))) {
      System.out.println("\n" + text + "\n(report written to " + file + ")");
    }
    return file;
  }

  public static String ms(Duration d) {
    long millis = d.toMillis();
    return millis >= 10_000 ? String.format("%.1f s", millis / 1000.0) : millis + " ms";
  }
}
