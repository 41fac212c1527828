package dev.spoq.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

  @Test
  void shippedSampleConfigUsesOnlyKnownKeysAndTheDefaults() {
    Path sample = Path.of("../deploy/agent/agent.toml");
    assertThat(sample).exists();
    Map<String, String> parsed = Settings.parseToml(sample);
    assertThat(parsed).isNotEmpty();
    parsed.forEach(
        (k, v) -> {
          assertThat(Defaults.VALUES).as("known key " + k).containsKey(k);
          assertThat(v).as("default of " + k).isEqualTo(Defaults.VALUES.get(k));
        });
    AgentConfig config = AgentConfig.from(Settings.load(sample, Map.of(), Map.of()));
    assertThat(config.upnpLease()).isEqualTo(Duration.ofHours(1));
    assertThat(config.upnpRefresh()).isEqualTo(Duration.ofMinutes(50));
    assertThat(config.privateKeyFile()).isEqualTo(Path.of("/var/lib/spoq/wireguard/private.key"));
  }

  @Test
  void precedenceIsFileThenEnvThenCli(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("agent.toml");
    Files.writeString(
        file, "state-dir = \"/srv/a\"\n[upnp]\nrefresh = \"10m\" # comment\nenabled = false\n");
    Settings s =
        Settings.load(
            file,
            Map.of("SPOQ_AGENT_UPNP_REFRESH", "20m", "SPOQ_AGENT_STATE_DIR", "/srv/b"),
            Map.of("state-dir", "/srv/c"));
    assertThat(s.duration("upnp.refresh")).isEqualTo(Duration.ofMinutes(20));
    assertThat(s.string("state-dir")).isEqualTo("/srv/c");
    assertThat(s.bool("upnp.enabled")).isFalse();
  }

  @Test
  void badValuesAreClearErrors(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("agent.toml");
    Files.writeString(file, "[upnp]\nrefersh = \"10m\"\n");
    assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown setting 'upnp.refersh'");
    assertThatThrownBy(() -> Settings.of(Map.of("upnp.lease", "soon")).duration("upnp.lease"))
        .hasMessageContaining("must be a duration");
    assertThatThrownBy(
            () -> AgentConfig.from(Settings.of(Map.of("wireguard.interface", "wg0; rm -rf /"))))
        .hasMessageContaining("not a valid interface name");
    assertThatThrownBy(() -> AgentConfig.from(Settings.of(Map.of("registry.url", "not a url"))))
        .hasMessageContaining("registry.url");
    Files.writeString(file, "this is not toml\n");
    assertThatThrownBy(() -> Settings.load(file, Map.of(), Map.of()))
        .hasMessageContaining(":1: expected 'key = value'");
  }
}
