package dev.spoq.relay.usage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the Prometheus text exposition format (version 0.0.4), as frps serves it on {@code
 * /metrics}: {@code # HELP} / {@code # TYPE} and other comments, metric names, optional labels
 * whose values may contain the escapes {@code \"}, {@code \\} and {@code \n} (and commas, braces,
 * spaces), values in Go float syntax ({@code 1.2e+07}, {@code NaN}, {@code +Inf}, {@code -Inf}),
 * and optional millisecond timestamps. A malformed line is skipped and counted, never fatal.
 */
public final class PrometheusText {

  /** One sample line. */
  public record Sample(String name, Map<String, String> labels, double value, Long timestampMs) {
    public String label(String key) {
      return labels.get(key);
    }
  }

  /** The samples, the declared {@code # TYPE}s, and how many lines could not be read. */
  public record Result(List<Sample> samples, Map<String, String> types, int malformedLines) {}

  private PrometheusText() {}

  public static Result parse(String text) {
    List<Sample> samples = new ArrayList<>();
    Map<String, String> types = new LinkedHashMap<>();
    int malformed = 0;
    for (String raw : text.split("\n", -1)) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      String trimmed = line.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.startsWith("#")) {
        String[] parts = trimmed.substring(1).strip().split("[ \t]+", 3);
        if (parts.length == 3 && parts[0].equals("TYPE")) {
          types.put(parts[1], parts[2].strip());
        }
        continue;
      }
      try {
        samples.add(sample(trimmed));
      } catch (IllegalArgumentException e) {
        malformed++;
      }
    }
    return new Result(Collections.unmodifiableList(samples), types, malformed);
  }

  private static Sample sample(String line) {
    int i = 0;
    int n = line.length();
    while (i < n && isNameChar(line.charAt(i), i == 0)) {
      i++;
    }
    if (i == 0) {
      throw new IllegalArgumentException("no metric name");
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < n && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels);
    }
    String rest = line.substring(i).strip();
    if (rest.isEmpty()) {
      throw new IllegalArgumentException("no value");
    }
    String[] parts = rest.split("[ \t]+");
    if (parts.length > 2) {
      throw new IllegalArgumentException("trailing text");
    }
    double value = number(parts[0]);
    Long timestamp = null;
    if (parts.length == 2) {
      try {
        timestamp = Long.parseLong(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad timestamp");
      }
    }
    return new Sample(name, Collections.unmodifiableMap(labels), value, timestamp);
  }

  /** Parses {@code a="x",b="y"}} from {@code start}; returns the index after the closing brace. */
  private static int labels(String line, int start, Map<String, String> labels) {
    int i = start;
    int n = line.length();
    while (true) {
      while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      if (i < n && line.charAt(i) == '}') {
        return i + 1;
      }
      int nameStart = i;
      while (i < n && isLabelChar(line.charAt(i), i == nameStart)) {
        i++;
      }
      if (i == nameStart) {
        throw new IllegalArgumentException("bad label name");
      }
      String key = line.substring(nameStart, i);
      while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      if (i >= n || line.charAt(i) != '=') {
        throw new IllegalArgumentException("expected '='");
      }
      i++;
      while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      if (i >= n || line.charAt(i) != '"') {
        throw new IllegalArgumentException("expected '\"'");
      }
      i++;
      StringBuilder value = new StringBuilder();
      boolean closed = false;
      while (i < n) {
        char c = line.charAt(i++);
        if (c == '\\') {
          if (i >= n) {
            throw new IllegalArgumentException("dangling escape");
          }
          char e = line.charAt(i++);
          switch (e) {
            case '\\' -> value.append('\\');
            case '"' -> value.append('"');
            case 'n' -> value.append('\n');
            default -> value.append('\\').append(e);
          }
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value.append(c);
        }
      }
      if (!closed) {
        throw new IllegalArgumentException("unterminated label value");
      }
      if (labels.put(key, value.toString()) != null) {
        throw new IllegalArgumentException("duplicate label");
      }
      while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
        i++;
      }
      if (i < n && line.charAt(i) == ',') {
        i++;
        continue;
      }
      if (i < n && line.charAt(i) == '}') {
        return i + 1;
      }
      throw new IllegalArgumentException("expected ',' or '}'");
    }
  }

  static double number(String text) {
    switch (text) {
      case "NaN":
        return Double.NaN;
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    if (!text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
      throw new IllegalArgumentException("bad number");
    }
    return Double.parseDouble(text);
  }

  private static boolean isNameChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '_'
        || c == ':'
        || (!first && c >= '0' && c <= '9');
  }

  private static boolean isLabelChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '_'
        || (!first && c >= '0' && c <= '9');
  }
}
