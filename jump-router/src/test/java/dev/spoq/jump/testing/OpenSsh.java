package dev.spoq.jump.testing;

import dev.spoq.testsupport.process.Binaries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The real OpenSSH client tools ({@code ssh}, {@code scp}, {@code sftp}, {@code ssh-keygen}). */
public final class OpenSsh {

  private OpenSsh() {}

  /** A key pair made by {@code ssh-keygen}: private key file and its public line. */
  public record KeyFile(Path privateKey, String publicLine) {}

  /** The outcome of one client run. */
  public record Result(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit=" + exit + "\n--stdout--\n" + stdout + "\n--stderr--\n" + stderr;
    }
  }

  public static KeyFile keygen(Path dir, String name) {
    Path key = dir.resolve(name);
    Result r =
        run(
            Duration.ofSeconds(20),
            List.of(
                Binaries.require("ssh-keygen", "openssh-client").toString(),
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-C",
                name,
                "-f",
                key.toString()),
            null);
    if (r.exit() != 0) {
      throw new IllegalStateException("ssh-keygen failed: " + r);
    }
    try {
      return new KeyFile(key, Files.readString(Path.of(key + ".pub")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SHA256 fingerprint {@code ssh-keygen -l} prints for a public key file or line. */
  public static String fingerprint(Path publicKeyFile) {
    Result r =
        run(
            Duration.ofSeconds(20),
            List.of(
                Binaries.require("ssh-keygen", "openssh-client").toString(),
                "-l",
                "-E",
                "sha256",
                "-f",
                publicKeyFile.toString()),
            null);
    if (r.exit() != 0) {
      throw new IllegalStateException("ssh-keygen -l failed: " + r);
    }
    return r.stdout().trim().split("\\s+")[1];
  }

  /**
   * An {@code ssh_config} for tests: one identity only, batch mode, its own known_hosts (accepting
   * new keys), short timeouts. ProxyJump children inherit it through {@code -F}.
   */
  public static Path clientConfig(Path dir, String name, Path identity) {
    Path config = dir.resolve(name + ".ssh_config");
    String text =
        String.join(
            "\n",
            "Host *",
            "  UserKnownHostsFile " + dir.resolve(name + ".known_hosts").toAbsolutePath(),
            "  StrictHostKeyChecking accept-new",
            "  BatchMode yes",
            "  IdentitiesOnly yes",
            "  IdentityFile " + identity.toAbsolutePath(),
            "  PasswordAuthentication no",
            "  KbdInteractiveAuthentication no",
            "  ConnectTimeout 10",
            "  LogLevel ERROR",
            "");
    try {
      Files.writeString(config, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return config;
  }

  /** Runs {@code ssh} with the arguments. */
  public static Result ssh(Duration timeout, byte[] stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Binaries.require("ssh", "openssh-client").toString());
    command.addAll(List.of(args));
    return run(timeout, command, stdin);
  }

  /** Runs a program, feeding stdin (or nothing), and kills it after the timeout. */
  public static Result run(Duration timeout, List<String> command, byte[] stdin) {
    try {
      Process p = new ProcessBuilder(command).start();
      CompletableFuture<byte[]> out = readAll(p.getInputStream());
      CompletableFuture<byte[]> err = readAll(p.getErrorStream());
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin);
        }
      } catch (IOException ignored) {
        // the program did not read its input
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Result(
            -1, text(out.getNow(new byte[0])), "TIMEOUT\n" + text(err.getNow(new byte[0])));
      }
      return new Result(p.exitValue(), text(out.get()), text(err.get()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static CompletableFuture<byte[]> readAll(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          ByteArrayOutputStream buffer = new ByteArrayOutputStream();
          try {
            in.transferTo(buffer);
          } catch (IOException ignored) {
            // process killed
          }
          return buffer.toByteArray();
        });
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
