package dev.spoq.registry.account;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void dnsLabels() {
    assertThat(Names.isLabel("alice")).isTrue();
    assertThat(Names.isLabel("a")).isTrue();
    assertThat(Names.isLabel("a-1")).isTrue();
    assertThat(Names.isLabel("a".repeat(63))).isTrue();
    assertThat(Names.isLabel("a".repeat(64))).isFalse();
    assertThat(Names.isLabel("-a")).isFalse();
    assertThat(Names.isLabel("a-")).isFalse();
    assertThat(Names.isLabel("A")).isFalse();
    assertThat(Names.isLabel("a.b")).isFalse();
    assertThat(Names.isLabel("")).isFalse();
    assertThat(Names.isLabel(null)).isFalse();
  }

  @Test
  void reservedNames() {
    for (String name : new String[] {"www", "api", "ssh", "jump", "relay", "lb", "admin"}) {
      assertThat(Names.isReserved(name)).as(name).isTrue();
    }
    assertThat(Names.isReserved("relay-eu")).isTrue();
    assertThat(Names.isReserved("alice")).isFalse();
  }

  @Test
  void usernames() {
    assertThat(Names.isUsername("alice")).isTrue();
    assertThat(Names.isUsername("1alice")).isFalse();
    assertThat(Names.isUsername("a".repeat(33))).isFalse();
  }
}
