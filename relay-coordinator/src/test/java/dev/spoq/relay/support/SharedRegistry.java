package dev.spoq.relay.support;

import dev.spoq.registry.testing.RunningRegistry;

/**
 * One real device registry (the registry's own {@link RunningRegistry} fixture, on real PostgreSQL)
 * for every test class of this module: started on first use, stopped when the JVM exits.
 */
public final class SharedRegistry {

  private static volatile RunningRegistry registry;

  private SharedRegistry() {}

  public static RunningRegistry get() {
    RunningRegistry r = registry;
    if (r == null) {
      synchronized (SharedRegistry.class) {
        r = registry;
        if (r == null) {
          r = RunningRegistry.start();
          registry = r;
          RunningRegistry started = r;
          Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
      }
    }
    return r;
  }
}
