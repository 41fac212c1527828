package dev.spoq.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known answers computed independently (Python hmac/hashlib.blake2s). */
class CryptoVectorsTest {

  private static final HexFormat hex = HexFormat.of();

  @Test
  void sessionKeyIsHmacOfTheLabelKeyedWithTheCredential() {
    assertThat(hex.formatHex(SessionKeys.derive("spoq_rly_exampleCredential123")))
        .isEqualTo("7ae3ff44a3a42acb57bd358836ccbbdced1987eead29300abdc6e2cc298536c7");
    assertThatThrownBy(() -> SessionKeys.derive("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mac1KeyAndMacMatchBlake2s() {
    byte[] pub = new byte[32];
    for (int i = 0; i < 32; i++) {
      pub[i] = (byte) i;
    }
    assertThat(hex.formatHex(Mac1.key(pub)))
        .isEqualTo("4fb2527ac956001553dc1ad9b55171b7d9daa3de1cdbcd71451830170c7e6cac");
    byte[] initiation = new byte[WireGuardMessages.INITIATION_SIZE];
    for (int i = 0; i < 116; i++) {
      initiation[i] = (byte) (i * 7);
    }
    Mac1 mac1 = new Mac1(pub);
    byte[] expected = hex.parseHex("03a55c329de13c8e850faad2618d1d34");
    assertThat(mac1.compute(initiation, 0)).isEqualTo(expected);
    assertThat(mac1.matches(initiation, 0)).isFalse();
    System.arraycopy(expected, 0, initiation, 116, 16);
    assertThat(mac1.matches(initiation, 0)).isTrue();
    initiation[5] ^= 1;
    assertThat(mac1.matches(initiation, 0)).isFalse();
    pub[0] ^= 1;
    initiation[5] ^= 1;
    assertThat(new Mac1(pub).matches(initiation, 0)).isFalse();
  }
}
