package dev.spoq.agent.it;

import dev.spoq.registry.testing.RunningRegistry;

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
}
