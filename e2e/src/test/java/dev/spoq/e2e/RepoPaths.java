package dev.spoq.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository root and the services' built jars. */
public final class RepoPaths {

  public static final String VERSION = "0.1.0-SNAPSHOT";

  private RepoPaths() {}

  public static Path root() {
    String configured = System.getProperty("spoq.repo.root");
    Path start =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of("").toAbsolutePath();
    for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("docker-compose.yml"))
          && Files.isDirectory(p.resolve("e2e"))) {
        return p;
      }
    }
    throw new IllegalStateException("cannot find the repository root from " + start);
  }

  /**
   * The module's runnable jar: the reactor's {@code target/} first, then the local Maven
   * repository.
   */
  public static Path execJar(String module) {
    Path inTarget =
        root().resolve(module).resolve("target").resolve(module + "-" + VERSION + "-exec.jar");
    if (Files.isRegularFile(inTarget)) {
      return inTarget;
    }
    Path inM2 =
        Path.of(
                System.getProperty("user.home"),
                ".m2",
                "repository",
                "dev",
                "spoq",
                module,
                VERSION)
            .resolve(module + "-" + VERSION + "-exec.jar");
    if (Files.isRegularFile(inM2)) {
      return inM2;
    }
    throw new IllegalStateException(
        "no runnable jar for "
            + module
            + " (looked at "
            + inTarget
            + " and "
            + inM2
            + "); build it: ./mvnw -pl "
            + module
            + " -am package -DskipTests");
  }
}
