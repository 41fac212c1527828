package dev.spoq.dns.testing;

import dev.spoq.registry.testing.RunningRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real device registry and one Cloudflare stub for the whole test JVM (the registry's startup
 * is the slow part). Tests use unique names, so they do not see each other's data.
 */
public final class SharedFixtures {

  public static final String CLOUDFLARE_TOKEN = "cf-test-" + Long.toHexString(System.nanoTime());
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static RunningRegistry registry;
  private static CloudflareStub cloudflare;

  private SharedFixtures() {}

  public static synchronized RunningRegistry registry() {
    if (registry == null) {
      registry = RunningRegistry.start();
      Runtime.getRuntime().addShutdownHook(new Thread(registry::close));
    }
    return registry;
  }

  public static synchronized CloudflareStub cloudflare() {
    if (cloudflare == null) {
      cloudflare = new CloudflareStub("spoq.dev", CLOUDFLARE_TOKEN);
      Runtime.getRuntime().addShutdownHook(new Thread(cloudflare::close));
    }
    return cloudflare;
  }

  /** A unique DNS label, usable as username and subdomain. */
  public static String uniqueName(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() % 10_000 + "-" + COUNTER.incrementAndGet();
  }
}
