package dev.spoq.relay.plugin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logins the plugin allowed but frps may still refuse (it checks its own auth.token afterwards):
 * remembered by frpc session ({@code run_id}) until the session's NewProxy proves frps accepted it.
 * Bounded (oldest dropped first); a Login whose entry was dropped, or which reached another
 * replica, is still recorded at NewProxy, only without its client address.
 */
final class PendingLogins {

  private static final int MAX = 10_000;

  private final Map<String, String> clientAddressByRunId =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > MAX;
        }
      };

  synchronized void remember(String runId, String clientAddress) {
    if (runId != null && !runId.isEmpty()) {
      clientAddressByRunId.put(runId, clientAddress);
    }
  }

  synchronized String take(String runId) {
    return runId == null ? null : clientAddressByRunId.remove(runId);
  }
}
