package dev.spoq.e2e.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.e2e.RepoPaths;
import dev.spoq.testsupport.process.Binaries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The Prometheus alert rules, scrape config and Grafana dashboard in deploy/: valid for the real
 * {@code promtool} (check rules, check config, and the rules' unit tests in spoq-alerts.test.yml),
 * and every metric they query is one the services export.
 */
@Tag("deploy")
class MonitoringMaterialTest {

  private static final Path ROOT = RepoPaths.root();
  private static final Path PROMETHEUS = ROOT.resolve("deploy/prometheus");

  /** Exported by Spring Boot's Micrometer auto-configuration, or by Prometheus itself. */
  private static final Set<String> STANDARD =
      Set.of(
          "up",
          "http_server_requests_seconds_count",
          "http_server_requests_seconds_sum",
          "hikaricp_connections_active",
          "jvm_memory_used_bytes");

  private static final Pattern METRIC = Pattern.compile("([a-z][a-z0-9_]*)\\s*(?=[{\\[)])");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without)\\s*\\([^)]*\\)");
  private static final Pattern MICROMETER_NAME =
      Pattern.compile("\"([a-z][a-z0-9_]*(?:\\.[a-z0-9_]+)+)\"");

  @Test
  void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
    assertThat(promtool("check", "rules", "spoq-alerts.yml")).contains("SUCCESS: 7 rules found");
    assertThat(promtool("test", "rules", "spoq-alerts.test.yml")).contains("SUCCESS");
    assertThat(promtool("check", "config", "prometheus.yml")).contains("SUCCESS");
  }

  @Test
  void theRulesCoverEveryRequiredAlert() throws IOException {
    Set<String> alerts = new LinkedHashSet<>();
    for (Map<String, Object> rule : rules()) {
      alerts.add(String.valueOf(rule.get("alert")));
    }
    assertThat(alerts)
        .contains(
            "SpoqReplicaDown",
            "SpoqServiceDown",
            "SpoqRelayDown",
            "SpoqDnsRecordsPendingTooLong",
            "SpoqSshAuthFailureSpike",
            "SpoqApiAuthFailureSpike",
            "SpoqJumpRouterBans");
  }

  @Test
  void everyQueriedMetricIsExportedByAService() throws IOException {
    List<String> expressions = new ArrayList<>();
    for (Map<String, Object> rule : rules()) {
      expressions.add(String.valueOf(rule.get("expr")));
    }
    JsonNode dashboard =
        new ObjectMapper()
            .readTree(ROOT.resolve("deploy/grafana/spoq-control-plane.json").toFile());
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        expressions.add(target.get("expr").asString());
      }
    }
    assertThat(expressions).hasSizeGreaterThan(20);

    Set<String> exported = exportedNames();
    Set<String> queried = new LinkedHashSet<>();
    for (String expr : expressions) {
      Matcher m = METRIC.matcher(GROUPING.matcher(expr).replaceAll(""));
      while (m.find()) {
        queried.add(m.group(1));
      }
    }
    assertThat(queried).contains("spoq_relay_relay_up", "dns_records_pending", "up");
    for (String metric : queried) {
      assertThat(STANDARD.contains(metric) || exported.contains(metric))
          .as("%s is exported by a service (Micrometer names in */src/main/java)", metric)
          .isTrue();
    }
  }

  /** Prometheus names of every Micrometer meter name literal in the services' sources. */
  private static Set<String> exportedNames() throws IOException {
    Set<String> names = new LinkedHashSet<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.toList()) {
        Path main = module.resolve("src/main/java");
        if (!Files.isDirectory(main)) {
          continue;
        }
        try (Stream<Path> files = Files.walk(main)) {
          for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
            Matcher m = MICROMETER_NAME.matcher(Files.readString(file, StandardCharsets.UTF_8));
            while (m.find()) {
              String base = m.group(1).replace('.', '_');
              names.addAll(List.of(base, base + "_total", base + "_bytes", base + "_bytes_total"));
            }
          }
        }
      }
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules() throws IOException {
    Map<String, Object> file =
        new Yaml().load(Files.readString(PROMETHEUS.resolve("spoq-alerts.yml")));
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
      rules.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    return rules;
  }

  private static String promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Binaries.require("promtool", "prometheus").toString());
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .directory(PROMETHEUS.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool %s finished", List.of(args)).isTrue();
    assertThat(p.exitValue()).as("promtool %s:%n%s", List.of(args), out).isZero();
    return out;
  }
}
