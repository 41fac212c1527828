package dev.spoq.jump.testing;

import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real OpenSSH {@code sshd} on 127.0.0.1 and a free port, standing in for a user's Cloud
 * container (or, in benchmarks, for a stock OpenSSH jump host). Logins as the current OS user with
 * the keys in its own authorized_keys file.
 */
public final class ContainerSshd implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final String hostKeyLine;
  private final Path authorizedKeys;
  private final ManagedProcess process;

  private ContainerSshd(
      Path dir, int port, String hostKeyLine, Path authorizedKeys, ManagedProcess process) {
    this.dir = dir;
    this.port = port;
    this.hostKeyLine = hostKeyLine;
    this.authorizedKeys = authorizedKeys;
    this.process = process;
  }

  /** Starts sshd in {@code dir} (created), trusting the given public key lines. */
  public static ContainerSshd start(
      Path dir, List<String> authorizedKeyLines, List<String> extraConfig) {
    try {
      Path base = Files.createDirectories(dir).toAbsolutePath();
      Files.createDirectories(Path.of("/run/sshd"));
      OpenSsh.KeyFile hostKey = OpenSsh.keygen(base, "ssh_host_ed25519_key");
      Path authorized = base.resolve("authorized_keys");
      Files.write(authorized, authorizedKeyLines);
      int port = freePort();
      List<String> config = new ArrayList<>();
      config.add("Port " + port);
      config.add("ListenAddress 127.0.0.1");
      config.add("HostKey " + hostKey.privateKey());
      config.add("PidFile " + base.resolve("sshd.pid"));
      config.add("AuthorizedKeysFile " + authorized);
      config.add("StrictModes no");
      config.add("UsePAM no");
      config.add("PasswordAuthentication no");
      config.add("KbdInteractiveAuthentication no");
      config.add("PubkeyAuthentication yes");
      config.add("PermitRootLogin yes");
      config.add("AcceptEnv LANG LC_*");
      config.add("Subsystem sftp internal-sftp");
      config.add("LogLevel VERBOSE");
      config.addAll(extraConfig);
      Path configFile = base.resolve("sshd_config");
      Files.write(configFile, config);
      ManagedProcess process =
          ManagedProcess.start(
              "sshd:" + base.getFileName(),
              List.of(
                  Binaries.require("sshd", "openssh-server").toString(),
                  "-D",
                  "-e",
                  "-f",
                  configFile.toString()),
              base.resolve("sshd.log"));
      try {
        process.awaitTcp("127.0.0.1", port, Duration.ofSeconds(20));
      } catch (RuntimeException e) {
        process.close();
        throw e;
      }
      return new ContainerSshd(base, port, hostKey.publicLine(), authorized, process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public Path dir() {
    return dir;
  }

  /** {@code ssh-ed25519 AAAA... comment}: what the registry route records. */
  public String hostKeyLine() {
    return hostKeyLine;
  }

  public void authorize(String publicKeyLine) {
    try {
      Files.writeString(authorizedKeys, publicKeyLine + "\n", StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String log() {
    return process.output();
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.close();
  }
}
