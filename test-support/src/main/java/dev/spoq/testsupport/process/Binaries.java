package dev.spoq.testsupport.process;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the real programs tests drive (sshd, wg, named, miniupnpd...). A missing one is a setup
 * error with a clear fix, never a silent skip: {@code scripts/install-test-deps.sh} installs them.
 */
public final class Binaries {

  private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/sbin", "/usr/local/sbin");

  private Binaries() {}

  public static Optional<Path> find(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(File.pathSeparator)));
    }
    dirs.addAll(EXTRA_DIRS);
    for (String dir : dirs) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The program's path.
   *
   * @throws IllegalStateException naming the Debian package to install
   */
  public static Path require(String name, String debianPackage) {
    return find(name)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "'"
                        + name
                        + "' is not installed (Debian package "
                        + debianPackage
                        + "); run scripts/install-test-deps.sh"));
  }
}
