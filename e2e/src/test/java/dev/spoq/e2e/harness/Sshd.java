package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/**
 * A real OpenSSH {@code sshd} inside a namespace, for one unprivileged user that exists only in
 * that namespace ({@code /etc/netns/<ns>/passwd}, see {@link EtcOverlay}). Key-only.
 */
public final class Sshd implements AutoCloseable {

  private final NetworkNamespace ns;
  private final Path dir;
  private final String user;
  private final EtcOverlay etc;
  private ManagedProcess process;

  public Sshd(NetworkNamespace ns, Path workDir, String user, int uid) {
    this.ns = ns;
    this.user = user;
    this.dir = workDir.resolve("sshd-" + ns.name());
    try {
      Files.createDirectories(dir.resolve("keys"));
      Path home = dir.resolve("home");
      Files.createDirectories(home);
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(
          dir.resolve("keys"), PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createDirectories(Path.of("/run/sshd"));
      etc =
          new EtcOverlay(ns.name())
              .extend("passwd", user + ":x:" + uid + ":" + uid + "::" + home + ":/bin/sh\n")
              .extend("group", user + ":x:" + uid + ":\n");
      Commands.run(
          List.of(
              "ssh-keygen",
              "-q",
              "-t",
              "ed25519",
              "-N",
              "",
              "-f",
              dir.resolve("host_key").toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Trusts a public key line for the user. */
  public Sshd authorize(String publicKeyLine) {
    try {
      Path file = dir.resolve("keys").resolve(user);
      Files.writeString(
          file,
          publicKeyLine.trim() + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts sshd on {@code listenAddress:22} with the given extra {@code sshd_config} lines (e.g.
   * the agent's generated hardening).
   */
  public Sshd start(String listenAddress, String extraConfig) {
    Path sshd = Binaries.require("sshd", "openssh-server");
    try {
      Files.writeString(
          dir.resolve("sshd_config"),
          // sshd keeps the first value of a keyword: the given material (e.g. the agent's
          // hardening drop-in) comes first, like an Include at the top of sshd_config.
          (extraConfig == null ? "" : extraConfig + "\n")
              + """
          Port 22
          ListenAddress %1$s
          HostKey %2$s/host_key
          PidFile %2$s/sshd.pid
          AuthorizedKeysFile %2$s/keys/%%u
          StrictModes no
          UsePAM no
          PasswordAuthentication no
          KbdInteractiveAuthentication no
          PubkeyAuthentication yes
          PermitRootLogin no
          AllowUsers %3$s
          LogLevel VERBOSE
          """
                  .formatted(listenAddress, dir, user));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    process =
        ns.start(
            "sshd",
            List.of(sshd.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString()),
            dir.resolve("sshd.log"));
    Ports.awaitTcp(ns, 22, process, Duration.ofSeconds(20));
    return this;
  }

  public String hostPublicKey() {
    try {
      return Files.readString(dir.resolve("host_key.pub")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String log() {
    return process == null ? "" : process.output();
  }

  public void stop() {
    if (process != null) {
      process.close();
      process = null;
    }
  }

  @Override
  public void close() {
    stop();
    etc.close();
  }
}
