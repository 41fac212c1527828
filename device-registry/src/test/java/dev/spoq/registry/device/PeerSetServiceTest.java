package dev.spoq.registry.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerSetServiceTest {

  @Test
  void ifNoneMatchHandling() {
    String tag = PeerSetService.etag(7);
    assertThat(PeerSetService.matches(tag, 7)).isTrue();
    assertThat(PeerSetService.matches("W/" + tag, 7)).isTrue();
    assertThat(PeerSetService.matches("\"x\", " + tag, 7)).isTrue();
    assertThat(PeerSetService.matches("*", 7)).isTrue();
    assertThat(PeerSetService.matches(tag, 8)).isFalse();
    assertThat(PeerSetService.matches(null, 7)).isFalse();
    assertThat(PeerSetService.matches("", 7)).isFalse();
  }
}
