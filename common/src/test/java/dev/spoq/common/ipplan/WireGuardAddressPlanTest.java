package dev.spoq.common.ipplan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WireGuardAddressPlanTest {

  @Test
  void followsTheSeedExamples() {
    assertThat(WireGuardAddressPlan.hostOctetsOf(1)).startsWith(10, 11).hasSize(10);
    assertThat(WireGuardAddressPlan.hostOctetsOf(2)).startsWith(20, 21);
    assertThat(WireGuardAddressPlan.hostRoute(10)).isEqualTo("10.100.0.10/32");
  }

  @Test
  void profilesNeverOverlapTheJetsonOrTheReservedRange() {
    Set<Integer> seen = new HashSet<>();
    for (int p = 1; p <= WireGuardAddressPlan.MAX_PROFILES; p++) {
      for (int octet : WireGuardAddressPlan.hostOctetsOf(p)) {
        assertThat(seen.add(octet)).isTrue();
        assertThat(octet).isBetween(10, 249);
        assertThat(WireGuardAddressPlan.profileOf(octet)).isEqualTo(p);
      }
    }
    assertThat(WireGuardAddressPlan.profileOf(1)).isZero();
    assertThat(WireGuardAddressPlan.profileOf(250)).isZero();
  }

  @Test
  void rejectsProfilesOutsideTheRange() {
    assertThatThrownBy(() -> WireGuardAddressPlan.hostOctetsOf(0))
        .hasMessageContaining("between 1 and 24");
    assertThatThrownBy(() -> WireGuardAddressPlan.hostOctetsOf(25))
        .hasMessageContaining("between 1 and 24");
  }
}
