package dev.spoq.registry;

import dev.spoq.registry.testing.RunningRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** One registry for the whole test JVM (startup is the slow part); tests use unique names. */
final class SharedRegistry {

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static RunningRegistry registry;

  private SharedRegistry() {}

  static synchronized RunningRegistry get() {
    if (registry == null) {
      registry = RunningRegistry.start();
      Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
    }
    return registry;
  }

  /** A unique lowercase name usable as username and subdomain. */
  static String name(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() % 1000 + "-" + COUNTER.incrementAndGet();
  }
}
