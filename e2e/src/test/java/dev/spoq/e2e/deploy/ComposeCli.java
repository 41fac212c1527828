package dev.spoq.e2e.deploy;

import dev.spoq.testsupport.process.Binaries;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The Compose command line: {@code docker compose} (v2 plugin) when it answers, else the Debian
 * {@code docker-compose} (installed by scripts/install-test-deps.sh). Neither needs an engine for
 * {@code config}.
 */
final class ComposeCli {

  private ComposeCli() {}

  static List<String> find() {
    Optional<Path> docker = Binaries.find("docker");
    if (docker.isPresent() && answers(List.of(docker.get().toString(), "compose", "version"))) {
      return List.of(docker.get().toString(), "compose");
    }
    return List.of(Binaries.require("docker-compose", "docker-compose").toString());
  }

  private static boolean answers(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
