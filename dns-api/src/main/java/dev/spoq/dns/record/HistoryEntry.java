package dev.spoq.dns.record;

import dev.spoq.dns.provider.RecordType;
import java.time.Instant;

/** One value a name pointed to, and since when. */
public record HistoryEntry(RecordType type, String ip, PublishPath path, Instant changedAt) {}
