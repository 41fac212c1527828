package dev.spoq.testsupport.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real external process started by a test, with its output in a log file, that is always stopped
 * (with its children) on {@link #close()}.
 */
public final class ManagedProcess implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ManagedProcess.class);

  private final String name;
  private final Process process;
  private final Path logFile;

  private ManagedProcess(String name, Process process, Path logFile) {
    this.name = name;
    this.process = process;
    this.logFile = logFile;
  }

  public static ManagedProcess start(String name, List<String> command, Path logFile) {
    return start(name, command, logFile, Map.of());
  }

  public static ManagedProcess start(
      String name, List<String> command, Path logFile, Map<String, String> environment) {
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().putAll(environment);
      Process process = builder.start();
      log.info("started {} (pid {}): {}", name, process.pid(), String.join(" ", command));
      return new ManagedProcess(name, process, logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  /**
   * Waits until something accepts TCP connections on the address, or fails with the process log.
   */
  public ManagedProcess awaitTcp(String host, int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + ":\n" + output());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 200);
        return this;
      } catch (IOException notYet) {
        sleep(50);
      }
    }
    throw new IllegalStateException(
        name + " did not listen on " + host + ":" + port + ":\n" + output());
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** What the process wrote so far. */
  public String output() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
