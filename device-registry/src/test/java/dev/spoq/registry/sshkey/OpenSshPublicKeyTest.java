package dev.spoq.registry.sshkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class OpenSshPublicKeyTest {

  static final String ED =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

  @Test
  void parsesAndNormalises() {
    OpenSshPublicKey key = OpenSshPublicKey.parse("  " + ED + "   alice@laptop  ");
    assertThat(key.type()).isEqualTo("ssh-ed25519");
    assertThat(key.comment()).isEqualTo("alice@laptop");
    assertThat(key.line()).isEqualTo(ED + " alice@laptop");
    assertThat(key.keyOnly()).isEqualTo(ED);
    assertThat(key.fingerprint()).startsWith("SHA256:").doesNotEndWith("=");
  }

  @Test
  void refusesTrailingBytesAndTruncation() {
    byte[] type = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer b = ByteBuffer.allocate(4 + type.length + 4 + 32 + 1);
    b.putInt(type.length).put(type).putInt(32).put(new byte[32]).put((byte) 1);
    String trailing = "ssh-ed25519 " + Base64.getEncoder().encodeToString(b.array());
    assertThatThrownBy(() -> OpenSshPublicKey.parse(trailing)).hasMessageContaining("trailing");
    ByteBuffer lying = ByteBuffer.allocate(4 + type.length + 4);
    lying.putInt(type.length).put(type).putInt(9999);
    assertThatThrownBy(
            () ->
                OpenSshPublicKey.parse(
                    "ssh-ed25519 " + Base64.getEncoder().encodeToString(lying.array())))
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> OpenSshPublicKey.parse("x".repeat(9000)))
        .hasMessageContaining("longer");
  }
}
