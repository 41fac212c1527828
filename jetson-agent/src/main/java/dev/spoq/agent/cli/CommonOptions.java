package dev.spoq.agent.cli;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command takes: where the config and state live, and single-setting overrides. */
final class CommonOptions {

  @Option(
      names = {"-c", "--config"},
      description = "Config file (TOML subset). Default: ${DEFAULT-VALUE}",
      defaultValue = "${env:SPOQ_AGENT_CONFIG:-/etc/spoq/agent.toml}")
  Path configFile;

  @Option(
      names = "--state-dir",
      description = "State directory (keys, token, caches). Default from config: /var/lib/spoq")
  Path stateDir;

  @Option(
      names = "--registry-url",
      description = "Registry base URL (also the default for dns.url and relay.url if unset).")
  String registryUrl;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one setting, e.g. --set upnp.enabled=false (repeatable).")
  Map<String, String> overrides = new LinkedHashMap<>();

  AgentConfig config() {
    Map<String, String> cli = new LinkedHashMap<>(overrides);
    if (stateDir != null) {
      cli.put("state-dir", stateDir.toString());
    }
    if (registryUrl != null) {
      cli.put("registry.url", registryUrl);
    }
    return AgentConfig.from(Settings.load(configFile, System.getenv(), cli));
  }
}
