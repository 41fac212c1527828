package dev.spoq.jump.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BridgeCommandTest {

  @Test
  void onlyLocaleAndTimeZoneReachTheContainer() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("LANG", "de_DE.UTF-8");
    env.put("LC_ALL", "C.UTF-8");
    env.put("TZ", "Europe/Berlin");
    env.put("LD_PRELOAD", "/tmp/evil.so");
    env.put("PATH", "/tmp");
    env.put("BASH_ENV", "/tmp/x");
    env.put("USER", "root");
    env.put("LC_LONG", "x".repeat(300));

    assertThat(BridgeCommand.safeEnvironment(env))
        .containsOnlyKeys("LANG", "LC_ALL", "TZ")
        .containsEntry("LANG", "de_DE.UTF-8");
  }
}
