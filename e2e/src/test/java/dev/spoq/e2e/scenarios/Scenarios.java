package dev.spoq.e2e.scenarios;

import dev.spoq.e2e.harness.Report;
import java.time.Duration;
import org.opentest4j.TestAbortedException;

/** Runs one scenario body, timing it and recording its outcome in the {@link Report}. */
final class Scenarios {

  interface Body {
    void run(Report.Entry entry) throws Exception;
  }

  private Scenarios() {}

  static void run(String number, String title, Body body) throws Exception {
    Report.Entry entry = Report.begin(number, title);
    long t0 = System.nanoTime();
    try {
      body.run(entry);
      Report.finish(entry, "PASSED", Duration.ofNanos(System.nanoTime() - t0), null);
    } catch (TestAbortedException skipped) {
      Report.finish(
          entry, "SKIPPED", Duration.ofNanos(System.nanoTime() - t0), skipped.getMessage());
      throw skipped;
    } catch (Exception | AssertionError failure) {
      Report.finish(
          entry,
          "FAILED",
          Duration.ofNanos(System.nanoTime() - t0),
          firstLine(failure.getMessage()));
      throw failure;
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
