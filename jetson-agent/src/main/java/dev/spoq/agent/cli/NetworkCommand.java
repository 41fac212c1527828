package dev.spoq.agent.cli;

import dev.spoq.agent.config.AgentConfig;
import dev.spoq.agent.tui.NetworkStatusScreen;
import dev.spoq.agent.tui.StatusView;
import dev.spoq.agent.util.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

@Command(
    name = "network",
    mixinStandardHelpOptions = true,
    description = "Network diagnostics.",
    subcommands = NetworkCommand.Status.class)
final class NetworkCommand implements Callable<Integer> {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(System.out);
    return 0;
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Full-screen network status: WireGuard, peers, UPnP, public IP, DNS, relay.",
        "Keys: t = test connection, r = refresh, q = quit. --once prints plain text."
      })
  static final class Status implements Callable<Integer> {

    @Mixin CommonOptions common;

    @Option(names = "--once", description = "Print the status once as plain text and exit.")
    boolean once;

    @Option(names = "--json", description = "Print the raw status JSON once and exit.")
    boolean json;

    @Option(names = "--interval", description = "Refresh interval in seconds (default 2).")
    int interval = 2;

    @Override
    public Integer call() throws Exception {
      AgentConfig config = common.config();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      URI base = URI.create("http://127.0.0.1:" + config.statusPort());
      NetworkStatusScreen.Source source =
          new NetworkStatusScreen.Source() {
            @Override
            public JsonNode status() throws IOException {
              return call(
                  http, HttpRequest.newBuilder(base.resolve("/api/device/status")).GET(), config);
            }

            @Override
            public JsonNode test() throws IOException {
              return call(
                  http,
                  HttpRequest.newBuilder(base.resolve("/api/device/test"))
                      .timeout(Duration.ofSeconds(60))
                      .POST(HttpRequest.BodyPublishers.noBody()),
                  config);
            }
          };
      if (once || json) {
        JsonNode status = source.status();
        if (json) {
          System.out.println(
              Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(status));
        } else {
          System.out.println("Network Status");
          StatusView.lines(status, Instant.now(), false).forEach(System.out::println);
        }
        return 0;
      }
      return new NetworkStatusScreen(source, System.out, Duration.ofSeconds(Math.max(1, interval)))
          .run();
    }

    /** The running agent's answer; when it is not running, the last status it wrote. */
    static JsonNode call(HttpClient http, HttpRequest.Builder request, AgentConfig config)
        throws IOException {
      try {
        HttpResponse<String> r =
            http.send(
                request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IOException("status API answered " + r.statusCode());
        }
        return Json.MAPPER.readTree(r.body());
      } catch (IOException e) {
        if (Files.exists(config.runtimeStatusFile())) {
          try {
            JsonNode last = Json.MAPPER.readTree(config.runtimeStatusFile().toFile());
            ((tools.jackson.databind.node.ObjectNode) last.path("health"))
                .put(
                    "reason",
                    "agent not running; last status written "
                        + last.path("reported_at").asString());
            return last;
          } catch (RuntimeException ignored) {
            // fall through
          }
        }
        throw new IOException(
            "the agent is not running (no answer on 127.0.0.1:" + config.statusPort() + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      }
    }
  }
}
