package dev.spoq.testsupport.frp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Renders deploy/frp/*.toml the way frp renders its config files (Go templates with {@code {{
 * .Envs.NAME }}}), emulating exactly the constructs those files use: {@code .Envs} values, {@code
 * {{- if .Envs.X }}...{{- end }}} (and {@code if not}) and the {@code parseNumberRange} loop of
 * {@code allowPorts}.
 */
public final class FrpTemplate {

  private static final Pattern ENV = Pattern.compile("\\{\\{ \\.Envs\\.([A-Z0-9_]+) }}");
  private static final Pattern RANGE =
      Pattern.compile(
          "\\{\\{- range \\$i, \\$p := parseNumberRange \\.Envs\\.([A-Z0-9_]+) }}(.*?)\\{\\{- end }}");
  private static final Pattern IF =
      Pattern.compile(
          "\\{\\{- if (not )?\\.Envs\\.([A-Z0-9_]+) }}(.*?)\\{\\{- end }}", Pattern.DOTALL);

  private FrpTemplate() {}

  /** The shipped file {@code deploy/frp/<name>}, found from the working directory upwards. */
  public static String shipped(String name) {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("deploy").resolve("frp").resolve(name);
      if (Files.isRegularFile(candidate)) {
        try {
          return Files.readString(candidate);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("deploy/frp/" + name + " not found above the working dir");
  }

  /** Renders a template; a {@code .Envs} name missing from {@code env} is an error. */
  public static String render(String template, Map<String, String> env) {
    Matcher cond = IF.matcher(template);
    StringBuilder kept = new StringBuilder();
    while (cond.find()) {
      String value = env.get(cond.group(2));
      boolean set = value != null && !value.isEmpty();
      boolean keep = cond.group(1) == null ? set : !set;
      cond.appendReplacement(kept, Matcher.quoteReplacement(keep ? cond.group(3) : ""));
    }
    cond.appendTail(kept);
    Matcher range = RANGE.matcher(kept.toString());
    StringBuilder out = new StringBuilder();
    while (range.find()) {
      String[] bounds = require(env, range.group(1)).split("-");
      int first = Integer.parseInt(bounds[0]);
      int last = Integer.parseInt(bounds[1]);
      String body = range.group(2);
      String expanded =
          IntStream.rangeClosed(first, last)
              .mapToObj(
                  p ->
                      body.replace("{{ if $i }},{{ end }}", p == first ? "" : ",")
                          .replace("{{ $p }}", Integer.toString(p)))
              .collect(Collectors.joining());
      range.appendReplacement(out, Matcher.quoteReplacement(expanded));
    }
    range.appendTail(out);
    Matcher names = ENV.matcher(out.toString());
    StringBuilder done = new StringBuilder();
    while (names.find()) {
      names.appendReplacement(done, Matcher.quoteReplacement(require(env, names.group(1))));
    }
    names.appendTail(done);
    if (done.indexOf("{{") >= 0) {
      throw new IllegalStateException("template construct not emulated: " + done);
    }
    return done.toString();
  }

  private static String require(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null) {
      throw new IllegalArgumentException("template needs " + name);
    }
    return value;
  }
}
