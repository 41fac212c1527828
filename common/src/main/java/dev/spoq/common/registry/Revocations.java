package dev.spoq.common.registry;

import java.util.List;

/**
 * Answer of {@code GET /internal/v1/revocations}: the events after the asked cursor and the cursor
 * to ask from next time. A cursor lower than the one asked for means the feed was reset.
 */
public record Revocations(long cursor, List<RevocationEvent> events) {
  public Revocations {
    events = events == null ? List.of() : List.copyOf(events);
  }
}
