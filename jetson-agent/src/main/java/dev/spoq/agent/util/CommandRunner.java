package dev.spoq.agent.util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs system tools as argument lists (never through a shell), with a timeout. */
public class CommandRunner {

  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    public String describe() {
      String err = stderr.isBlank() ? stdout : stderr;
      return "exit " + exitCode + (err.isBlank() ? "" : ": " + err.trim());
    }
  }

  private final String netns;

  /** Runs commands in the agent's own network namespace. */
  public CommandRunner() {
    this("");
  }

  /**
   * Runs commands inside the named network namespace ({@code ip netns exec}), for a WireGuard
   * interface kept in its own namespace; empty means the agent's namespace.
   */
  public CommandRunner(String netns) {
    this.netns = netns == null ? "" : netns.trim();
  }

  public Result run(List<String> command) {
    return run(command, Map.of(), null);
  }

  public Result run(List<String> command, Map<String, String> env, String stdin) {
    if (!netns.isEmpty()) {
      List<String> wrapped = new java.util.ArrayList<>(List.of("ip", "netns", "exec", netns));
      wrapped.addAll(command);
      command = wrapped;
    }
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().putAll(env);
      Process process = builder.start();
      CompletableFuture<byte[]> out =
          CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      CompletableFuture<byte[]> err =
          CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      try (var in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "", "timed out after 30 s");
      }
      return new Result(
          process.exitValue(),
          new String(out.join(), StandardCharsets.UTF_8),
          new String(err.join(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, "", "cannot run " + command.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "", "interrupted");
    }
  }

  /** Runs and throws with the tool's message on failure. */
  public String require(List<String> command) {
    Result r = run(command);
    if (!r.ok()) {
      throw new CommandFailedException(String.join(" ", command) + " failed: " + r.describe());
    }
    return r.stdout();
  }

  private static byte[] readAll(java.io.InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  public static class CommandFailedException extends RuntimeException {
    public CommandFailedException(String message) {
      super(message);
    }
  }
}
