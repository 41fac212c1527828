package dev.spoq.testsupport.netns;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Safety net: whatever a test created and did not close (a crash, a killed JVM thread) is removed
 * when the JVM exits, newest first.
 */
final class Cleanup {

  private static final Map<Object, Runnable> pending = new LinkedHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::runAll, "netns-cleanup"));
  }

  private Cleanup() {}

  static synchronized void register(Object owner, Runnable action) {
    pending.put(owner, action);
  }

  static synchronized void unregister(Object owner) {
    pending.remove(owner);
  }

  private static void runAll() {
    List<Runnable> actions;
    synchronized (Cleanup.class) {
      actions = new ArrayList<>(pending.values());
      pending.clear();
    }
    for (int i = actions.size() - 1; i >= 0; i--) {
      try {
        actions.get(i).run();
      } catch (RuntimeException ignored) {
        // best effort at exit
      }
    }
  }
}
