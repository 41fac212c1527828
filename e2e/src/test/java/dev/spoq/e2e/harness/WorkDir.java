package dev.spoq.e2e.harness;

import dev.spoq.e2e.RepoPaths;
import dev.spoq.testsupport.netns.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A fresh, world-traversable directory under {@code e2e/target} for one harness run. */
public final class WorkDir {

  private WorkDir() {}

  public static Path create(String purpose) {
    try {
      Path dir =
          RepoPaths.root()
              .resolve("e2e/target/e2e-work")
              .resolve(purpose + "-" + NetworkNamespace.randomSuffix(3));
      Files.createDirectories(dir.resolve("logs"));
      for (Path p = dir; p != null && p.startsWith(RepoPaths.root()); p = p.getParent()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
