package dev.spoq.common.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 13 item 13: weak and non-canonical X25519 public keys are refused. */
class WireGuardKeyTest {

  @Test
  void generatedKeysAreAccepted() {
    for (int i = 0; i < 50; i++) {
      String pub = X25519.generate().publicKey().base64();
      assertThat(WireGuardKey.parsePublic(pub).base64()).isEqualTo(pub);
    }
  }

  @Test
  void theIssuesExampleIsRefused() {
    assertThatThrownBy(
            () -> WireGuardKey.parsePublic("4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA="))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("small-order");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // small order, canonical
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        // non-canonical: p, p + 1, the top bit set (also the small-order points so encoded)
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "cdeb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
        "4c9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7",
        "d9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "0900000000000000000000000000000000000000000000000000000000000080"
      })
  void smallOrderAndNonCanonicalKeysAreRefused(String hex) {
    String base64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    assertThatThrownBy(() -> WireGuardKey.parsePublic(base64))
        .isInstanceOf(IllegalArgumentException.class);
    // the plain parser (private keys, anything) still takes 32 non-zero bytes
    assertThat(WireGuardKey.parse(base64).base64()).isEqualTo(base64);
  }

  @Test
  void theLargestCanonicalValueIsAccepted() {
    // p - 2 is canonical and not of small order
    String base64 =
        Base64.getEncoder()
            .encodeToString(
                HexFormat.of()
                    .parseHex("ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
    assertThat(WireGuardKey.parsePublic(base64).base64()).isEqualTo(base64);
  }
}
