package dev.spoq.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.agent.cli.SpoqCli;
import dev.spoq.registry.testing.RunningRegistry;
import java.nio.file.Path;

/** One real registry per test JVM (its start is the slow part); tests use unique accounts. */
final class SharedRegistry {

  private static RunningRegistry registry;

  private SharedRegistry() {}

  static synchronized RunningRegistry get() {
    if (registry == null) {
      registry = RunningRegistry.start();
      Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
    }
    return registry;
  }

  /**
   * Enrolls a Jetson for the account with the real {@code spoq enroll}, keeping its state in {@code
   * <tmp>/state} (returned) and no config file.
   */
  static Path enrollWithCli(
      RunningRegistry registry, RunningRegistry.Account account, Path tmp, String hostname) {
    Path state = tmp.resolve("state");
    int rc =
        SpoqCli.execute(
            "enroll",
            registry.newEnrollmentCode(account),
            "-c",
            tmp.resolve("none.toml").toString(),
            "--state-dir",
            state.toString(),
            "--registry-url",
            registry.baseUrl(),
            "--hostname",
            hostname);
    assertThat(rc).as("spoq enroll").isZero();
    return state;
  }
}
