package dev.spoq.common.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class X25519Test {

  @Test
  void generatedKeysAreClampedAndMatchTheRealWgPubkey() throws Exception {
    X25519.KeyPair pair = X25519.generate();
    byte[] scalar = pair.privateKey().bytes();
    assertThat(scalar[0] & 7).isZero();
    assertThat(scalar[31] & 0x80).isZero();
    assertThat(scalar[31] & 0x40).isEqualTo(0x40);

    assertThat(wgPubkey(pair.privateKey().base64())).isEqualTo(pair.publicKey().base64());
  }

  @Test
  void derivesThePublicKeyOfAKeyMadeByWgGenkey() throws Exception {
    String privateKey = run(new ProcessBuilder("wg", "genkey"), null);
    String expected = wgPubkey(privateKey);
    assertThat(X25519.publicKeyOf(WireGuardKey.parse(privateKey)).base64()).isEqualTo(expected);
  }

  @Test
  void keyPairToStringNeverShowsThePrivateKey() {
    X25519.KeyPair pair = X25519.generate();
    assertThat(pair.toString()).doesNotContain(pair.privateKey().base64());
  }

  @Test
  void rejectsMalformedKeys() {
    assertThatThrownBy(() -> WireGuardKey.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> WireGuardKey.parse("abc")).hasMessageContaining("44 characters");
    assertThatThrownBy(() -> WireGuardKey.parse("!".repeat(43) + "="))
        .hasMessageContaining("base64");
    String zeros = Base64.getEncoder().encodeToString(new byte[32]);
    assertThatThrownBy(() -> WireGuardKey.parse(zeros)).hasMessageContaining("all zeros");
    String short31 = Base64.getEncoder().encodeToString(new byte[31]);
    assertThatThrownBy(() -> WireGuardKey.parse(short31))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String wgPubkey(String privateKey) throws Exception {
    return run(new ProcessBuilder("wg", "pubkey"), privateKey);
  }

  private static String run(ProcessBuilder builder, String stdin)
      throws IOException, InterruptedException {
    Process process = builder.redirectErrorStream(true).start();
    if (stdin != null) {
      process.getOutputStream().write((stdin + "\n").getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }
}
