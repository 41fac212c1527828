package dev.spoq.common.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.registry.CachingRegistryAuthenticator.Entry;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class CachingRegistryAuthenticatorMakeRoomTest {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void belowTheBoundNothingIsDropped() {
    Map<String, Entry<String>> cache = fill(99, 0, NOW.minusSeconds(1));

    CachingRegistryAuthenticator.makeRoom(cache, 100, NOW);

    assertThat(cache).hasSize(99);
  }

  @Test
  void expiredAnswersGoFirst() {
    Map<String, Entry<String>> cache = fill(50, 50, NOW.minusSeconds(1));

    CachingRegistryAuthenticator.makeRoom(cache, 100, NOW);

    assertThat(cache).hasSize(50);
    assertThat(cache.values()).allMatch(e -> e.expires().isAfter(NOW));
  }

  @Test
  void aCacheFullOfLiveAnswersKeepsNinetyPercentInsteadOfEmptying() {
    Map<String, Entry<String>> cache = fill(100, 0, NOW);

    CachingRegistryAuthenticator.makeRoom(cache, 100, NOW);

    assertThat(cache).hasSize(90);
  }

  private static Map<String, Entry<String>> fill(int live, int expired, Instant expiredAt) {
    Map<String, Entry<String>> cache = new ConcurrentHashMap<>();
    for (int i = 0; i < live; i++) {
      cache.put("live-" + i, new Entry<>("v", NOW.plusSeconds(60)));
    }
    for (int i = 0; i < expired; i++) {
      cache.put("expired-" + i, new Entry<>("v", expiredAt));
    }
    return cache;
  }
}
