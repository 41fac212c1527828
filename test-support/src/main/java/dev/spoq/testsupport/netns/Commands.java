package dev.spoq.testsupport.netns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands as argument lists (no shell), with a timeout. */
final class Commands {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Commands() {}

  static ExecResult run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new ExecResult(-1, "timed out: " + String.join(" ", command));
      }
      return new ExecResult(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
    }
  }

  static ExecResult require(List<String> command) {
    ExecResult result = run(command);
    if (!result.ok()) {
      throw new IllegalStateException(
          "command failed (exit "
              + result.exitCode()
              + "): "
              + String.join(" ", command)
              + "\n"
              + result.output());
    }
    return result;
  }
}
