package dev.spoq.e2e.scenarios;

import dev.spoq.e2e.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The failover intervals the product ships, read from deploy/agent/agent.toml for the report. */
final class ShippedIntervals {

  private static final List<String> KEYS =
      List.of(
          "health.interval",
          "health.fail-threshold",
          "health.failback-after",
          "upnp.check-interval",
          "publicip.interval");

  private ShippedIntervals() {}

  static String describe() {
    List<String> lines;
    try {
      lines = Files.readAllLines(RepoPaths.root().resolve("deploy/agent/agent.toml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> found = new ArrayList<>();
    String section = "";
    for (String raw : lines) {
      String line = raw.replaceAll("#.*$", "").trim();
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1).trim();
      } else if (line.contains("=")) {
        String key = section + "." + line.substring(0, line.indexOf('=')).trim();
        if (KEYS.contains(key)) {
          found.add(key + " " + line.substring(line.indexOf('=') + 1).trim().replace("\"", ""));
        }
      }
    }
    return String.join(", ", found);
  }
}
