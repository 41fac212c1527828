package dev.spoq.relay.assignment;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.stereotype.Component;

/**
 * A nudge that some relay-server's Jetson set may have changed in this instance (assignment moved,
 * credential rotated, Jetson revoked), so held long-polls are re-checked at once instead of at the
 * next periodic check (which also catches changes made by other replicas).
 */
@Component
public class JetsonSetChanges {

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public void subscribe(Runnable listener) {
    listeners.add(listener);
  }

  public void changed() {
    listeners.forEach(Runnable::run);
  }
}
