package dev.spoq.common.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokensTest {

  @Test
  void tokensCarry256BitsAndTheirKind() {
    String token = Tokens.generate("spoq_dev");
    assertThat(token).startsWith("spoq_dev_").hasSize("spoq_dev_".length() + 43);
    assertThat(Tokens.looksValid(token)).isTrue();
    Set<String> many = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      many.add(Tokens.generate("spoq_dev"));
    }
    assertThat(many).hasSize(1000);
  }

  @Test
  void hashIsHexSha256AndStable() {
    assertThat(Tokens.hash("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void rejectsShapesThatAreNotTokens() {
    assertThat(Tokens.looksValid(null)).isFalse();
    assertThat(Tokens.looksValid("")).isFalse();
    assertThat(Tokens.looksValid("spoq_dev_' OR 1=1 --")).isFalse();
    assertThat(Tokens.looksValid("x".repeat(5000))).isFalse();
  }

  @Test
  void constantTimeEqualsHandlesNulls() {
    assertThat(Tokens.constantTimeEquals("a", "a")).isTrue();
    assertThat(Tokens.constantTimeEquals("a", "b")).isFalse();
    assertThat(Tokens.constantTimeEquals(null, "b")).isFalse();
  }
}
