package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.ExecResult;
import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The OpenSSH client of a person (their own ed25519 key), run from a namespace. */
public final class SshClient {

  /** What a command printed, its exit code and how long the whole ssh run took. */
  public record Run(int exitCode, String output, Duration elapsed) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  private final NetworkNamespace ns;
  private final Path key;
  private final Path config;

  public SshClient(NetworkNamespace ns, Path workDir, String name) {
    this.ns = ns;
    Path dir = workDir.resolve("ssh-client-" + name);
    try {
      Files.createDirectories(dir);
      key = dir.resolve("id_ed25519");
      Commands.run(
          List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key.toString()));
      config = dir.resolve("config");
      // -J hands -F (not -i/-o) to the jump connection, so everything lives in this file.
      Files.writeString(
          config,
          """
          Host *
            IdentityFile %s
            IdentitiesOnly yes
            UserKnownHostsFile %s
            StrictHostKeyChecking accept-new
            BatchMode yes
            ConnectTimeout 10
            ServerAliveInterval 5
            ServerAliveCountMax 2
            LogLevel ERROR
          """
              .formatted(key, dir.resolve("known_hosts")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String publicKey() {
    try {
      return Files.readString(Path.of(key + ".pub")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A long-lived {@code ssh [options] destination command} in the background (an interactive
   * session held open); its output goes to {@code log}. Ends with the namespace or on close.
   */
  public ManagedProcess session(
      List<String> options, String destination, String command, Path log) {
    List<String> cmd = new ArrayList<>(List.of("ssh", "-F", config.toString()));
    cmd.addAll(options);
    cmd.add(destination);
    cmd.add(command);
    return ns.start("ssh-session", cmd, log);
  }

  /** {@code ssh [options] destination command}. */
  public Run ssh(List<String> options, String destination, String command) {
    List<String> cmd = new ArrayList<>(List.of("ssh", "-F", config.toString()));
    cmd.addAll(options);
    cmd.add(destination);
    cmd.add(command);
    long start = System.nanoTime();
    ExecResult r = ns.tryExec(cmd);
    return new Run(r.exitCode(), r.output(), Duration.ofNanos(System.nanoTime() - start));
  }
}
