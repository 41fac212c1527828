package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.ExecResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short commands in the harness's own namespace (key generation only; never networking). */
final class Commands {

  private Commands() {}

  static ExecResult run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      ExecResult r = new ExecResult(p.exitValue(), new String(out, StandardCharsets.UTF_8));
      if (!r.ok()) {
        throw new IllegalStateException("failed: " + command + "\n" + r.output());
      }
      return r;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
