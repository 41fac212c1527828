package dev.spoq.agent.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Flat {@code section.key} settings merged from, lowest precedence first: built-in defaults, the
 * config file (a TOML subset: {@code [section]} headers and {@code key = value} lines), Java system
 * properties {@code spoq.agent.<key>}, environment variables {@code SPOQ_AGENT_<KEY>} (dots and
 * dashes become underscores) and {@code --set key=value} CLI flags.
 */
public final class Settings {

  private final Map<String, String> values;

  private Settings(Map<String, String> values) {
    this.values = values;
  }

  public static Settings load(
      Path configFile, Map<String, String> env, Map<String, String> cliOverrides) {
    Map<String, String> merged = new TreeMap<>(Defaults.VALUES);
    if (configFile != null && Files.isRegularFile(configFile)) {
      merged.putAll(parseToml(configFile));
    }
    System.getProperties()
        .forEach(
            (k, v) -> {
              String key = k.toString();
              if (key.startsWith("spoq.agent.")) {
                merged.put(key.substring("spoq.agent.".length()), v.toString());
              }
            });
    for (String key : new ArrayList<>(merged.keySet())) {
      String envName = "SPOQ_AGENT_" + key.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_");
      if (env.containsKey(envName)) {
        merged.put(key, env.get(envName));
      }
    }
    merged.putAll(cliOverrides);
    for (String key : merged.keySet()) {
      if (!Defaults.VALUES.containsKey(key)) {
        throw new ConfigException("unknown setting '" + key + "' (see spoq --help / README)");
      }
    }
    return new Settings(merged);
  }

  public static Settings of(Map<String, String> overrides) {
    Map<String, String> merged = new TreeMap<>(Defaults.VALUES);
    merged.putAll(overrides);
    return new Settings(merged);
  }

  static Map<String, String> parseToml(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read config " + file, e);
    }
    Map<String, String> result = new LinkedHashMap<>();
    String section = "";
    int number = 0;
    for (String raw : lines) {
      number++;
      String line = stripComment(raw).trim();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        section = line.substring(1, line.length() - 1).trim();
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(file + ":" + number + ": expected 'key = value'");
      }
      String key = line.substring(0, eq).trim();
      String value = unquote(line.substring(eq + 1).trim());
      result.put(section.isEmpty() ? key : section + "." + key, value);
    }
    return result;
  }

  private static String stripComment(String line) {
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '#' && !quoted) {
        return line.substring(0, i);
      }
    }
    return line;
  }

  private static String unquote(String value) {
    if (value.startsWith("[") && value.endsWith("]")) {
      List<String> items = new ArrayList<>();
      for (String item : value.substring(1, value.length() - 1).split(",")) {
        if (!item.isBlank()) {
          items.add(unquote(item.trim()));
        }
      }
      return String.join(",", items);
    }
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }

  public String get(String key) {
    if (!values.containsKey(key)) {
      throw new ConfigException("unknown setting '" + key + "'");
    }
    return values.get(key);
  }

  public String string(String key) {
    return get(key).trim();
  }

  public int integer(String key) {
    try {
      return Integer.parseInt(string(key));
    } catch (NumberFormatException e) {
      throw new ConfigException("setting '" + key + "' must be a number, got '" + get(key) + "'");
    }
  }

  public boolean bool(String key) {
    String v = string(key).toLowerCase(Locale.ROOT);
    if (v.equals("true") || v.equals("yes") || v.equals("1")) {
      return true;
    }
    if (v.equals("false") || v.equals("no") || v.equals("0")) {
      return false;
    }
    throw new ConfigException("setting '" + key + "' must be true or false, got '" + v + "'");
  }

  public Duration duration(String key) {
    String v = string(key).toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long n = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> Duration.ofSeconds(Long.parseLong(v));
      };
    } catch (RuntimeException e) {
      throw new ConfigException(
          "setting '" + key + "' must be a duration like 30s, 50m, 500ms; got '" + v + "'");
    }
  }

  public List<String> list(String key) {
    List<String> result = new ArrayList<>();
    for (String item : string(key).split(",")) {
      if (!item.isBlank()) {
        result.add(item.trim());
      }
    }
    return result;
  }

  public Map<String, String> asMap() {
    return Map.copyOf(values);
  }
}
