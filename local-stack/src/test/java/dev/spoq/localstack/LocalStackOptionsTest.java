package dev.spoq.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStackOptionsTest {

  @Test
  void defaultsPutStateInTheCheckout() {
    LocalStackOptions options = LocalStackOptions.parse(new String[0]);
    assertThat(options.registryPort()).isEqualTo(8081);
    assertThat(options.postgresPort()).isEqualTo(54329);
    assertThat(options.stateDir().getFileName()).hasToString(".run-state");
    assertThat(options.help()).isFalse();
  }

  @Test
  void parsesOptionsAndRejectsNonsense() {
    LocalStackOptions options =
        LocalStackOptions.parse(
            new String[] {"--base-port", "9081", "--state-dir", "/tmp/x", "-h"});
    assertThat(options.registryPort()).isEqualTo(9081);
    assertThat(options.stateDir()).isEqualTo(Path.of("/tmp/x"));
    assertThat(options.help()).isTrue();
    assertThatThrownBy(() -> LocalStackOptions.parse(new String[] {"--base-port", "70000"}))
        .hasMessageContaining("1 to 65535");
    assertThatThrownBy(() -> LocalStackOptions.parse(new String[] {"--bogus"}))
        .hasMessageContaining("unknown option");
    assertThatThrownBy(() -> LocalStackOptions.parse(new String[] {"--state-dir"}))
        .hasMessageContaining("needs a value");
  }

  @Test
  void secretsAreMadeOncePrivateAndKept(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secrets.properties");
    LocalSecrets first = LocalSecrets.loadOrCreate(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(first.adminKey()).startsWith("spoq_key_");
    assertThat(first.serviceToken("dns-api")).isNotEqualTo(first.serviceToken("jump-router"));

    LocalSecrets second = LocalSecrets.loadOrCreate(file);
    assertThat(second.adminKey()).isEqualTo(first.adminKey());
    assertThat(second.serviceToken("relay-coordinator"))
        .isEqualTo(first.serviceToken("relay-coordinator"));
  }
}
