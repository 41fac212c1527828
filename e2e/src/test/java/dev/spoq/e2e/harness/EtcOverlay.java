package dev.spoq.e2e.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Per-namespace files under {@code /etc/netns/<namespace>/}: {@code ip netns exec} bind-mounts each
 * over {@code /etc/<file>} for the programs it starts (resolv.conf for the phone's resolver,
 * passwd/group for the users of a container's or the Jetson's sshd). Removed on close.
 */
final class EtcOverlay implements AutoCloseable {

  private final Path dir;
  private final Set<Path> written = new LinkedHashSet<>();

  EtcOverlay(String namespace) {
    this.dir = Path.of("/etc/netns", namespace);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::close));
  }

  EtcOverlay write(String file, String content) {
    try {
      Files.writeString(dir.resolve(file), content, StandardCharsets.UTF_8);
      written.add(dir.resolve(file));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of the host's {@code /etc/<file>} with {@code extraLines} appended. */
  EtcOverlay extend(String file, String extraLines) {
    try {
      String base = Files.readString(Path.of("/etc", file), StandardCharsets.UTF_8);
      return write(file, (base.endsWith("\n") ? base : base + "\n") + extraLines);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      for (Path p : written) {
        Files.deleteIfExists(p);
      }
      written.clear();
      // Only when no other overlay of this namespace still has files there.
      if (Files.isDirectory(dir)) {
        try (var left = Files.list(dir)) {
          if (left.findAny().isEmpty()) {
            Files.deleteIfExists(dir);
          }
        }
      }
    } catch (IOException ignored) {
      // best effort
    }
  }
}
