package dev.spoq.jump.testing;

import dev.spoq.registry.testing.RunningRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/** Reads the audit trail back from the real registry ({@code GET /api/audit-events}). */
public final class RegistryAudit {

  private RegistryAudit() {}

  public static List<JsonNode> events(RunningRegistry registry, String action) {
    RunningRegistry.Response r =
        registry.call(
            "GET", "/api/audit-events?size=500&action=" + action, registry.adminKey(), null);
    if (r.status() != 200) {
      throw new IllegalStateException("audit query failed: " + r.status() + " " + r.body());
    }
    List<JsonNode> items = new ArrayList<>();
    r.json().get("items").forEach(items::add);
    return items;
  }

  /** Waits (audit delivery is asynchronous) until an event of that action matches. */
  public static JsonNode await(
      RunningRegistry registry, String action, Predicate<JsonNode> matching) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<JsonNode> seen = List.of();
    while (System.nanoTime() < deadline) {
      seen = events(registry, action);
      for (JsonNode event : seen) {
        if (matching.test(event)) {
          return event;
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError(
        "no matching '" + action + "' audit event in the registry; saw " + seen);
  }

  public static String text(JsonNode event, String field) {
    JsonNode value = event.get(field);
    return value == null || value.isNull() ? null : value.asString();
  }
}
