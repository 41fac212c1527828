package dev.spoq.jump.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.jump.testing.OpenSsh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

  @TempDir Path dir;

  @Test
  void createsAnEd25519KeyOnceAndReloadsTheSameOne() throws Exception {
    Path file = dir.resolve("nested/ssh_host_ed25519_key");

    KeyPair first = KeyFiles.loadOrCreateEd25519(file, "test-host");
    KeyPair again = KeyFiles.loadOrCreateEd25519(file, "test-host");

    assertThat(first.getPublic().getAlgorithm()).isIn("EdDSA", "Ed25519");
    assertThat(KeyUtils.getFingerPrint(again.getPublic()))
        .isEqualTo(KeyUtils.getFingerPrint(first.getPublic()));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
  }

  @Test
  void publicKeyFileIsWhatOpenSshComputesTheSameFingerprintFor() {
    Path file = dir.resolve("upstream_ed25519_key");
    KeyPair pair = KeyFiles.loadOrCreateEd25519(file, "spoq-jump-router");

    String openSsh = OpenSsh.fingerprint(Path.of(file + ".pub"));

    assertThat(openSsh).isEqualTo(KeyUtils.getFingerPrint(pair.getPublic()));
    assertThat(KeyFiles.publicKeyLine(pair, "spoq-jump-router"))
        .startsWith("ssh-ed25519 AAAA")
        .endsWith(" spoq-jump-router");
  }

  @Test
  void readsAKeyMadeByOpenSsh() {
    OpenSsh.KeyFile made = OpenSsh.keygen(dir, "made_by_ssh_keygen");

    KeyPair loaded = KeyFiles.loadOrCreateEd25519(made.privateKey(), "ignored");

    assertThat(KeyFiles.publicKeyLine(loaded, "made_by_ssh_keygen")).isEqualTo(made.publicLine());
  }
}
