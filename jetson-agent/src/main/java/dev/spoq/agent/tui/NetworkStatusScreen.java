package dev.spoq.agent.tui;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The full-screen {@code spoq network status}: raw mode on /dev/tty (via {@code stty}), the
 * alternate screen, redraw every few seconds; {@code t} runs a connection test, {@code r} refreshes
 * now, {@code q} quits (and restores the terminal).
 */
public final class NetworkStatusScreen {

  /** Where the screen gets its data: the agent's status, and the agent's test run. */
  public interface Source {
    JsonNode status() throws IOException;

    JsonNode test() throws IOException;
  }

  private final Source source;
  private final PrintStream out;
  private final Duration refresh;
  private String message = "";
  private int draws;

  public NetworkStatusScreen(Source source, PrintStream out, Duration refresh) {
    this.source = source;
    this.out = out;
    this.refresh = refresh;
  }

  public int run() throws IOException, InterruptedException {
    File tty = new File("/dev/tty");
    String saved = stty(tty, "-g").trim();
    stty(tty, "raw", "-echo");
    out.print("\u001b[?1049h\u001b[?25l");
    try (InputStream in = new FileInputStream(tty)) {
      JsonNode status = fetch(source::status);
      Instant lastDraw = Instant.EPOCH;
      while (true) {
        if (Duration.between(lastDraw, Instant.now()).compareTo(refresh) >= 0) {
          if (draws > 0) {
            status = fetch(source::status);
          }
          draw(status);
          lastDraw = Instant.now();
        }
        if (in.available() > 0) {
          int key = in.read();
          if (key == 'q' || key == 'Q' || key == 3) {
            return 0;
          } else if (key == 'r' || key == 'R') {
            message = "Refreshed at " + Instant.now().toString().substring(11, 19) + " UTC";
            status = fetch(source::status);
            draw(status);
            lastDraw = Instant.now();
          } else if (key == 't' || key == 'T') {
            message = "Testing connection...";
            draw(status);
            JsonNode tested = fetch(source::test);
            if (tested != null) {
              status = tested;
              JsonNode t = tested.path("test");
              message =
                  "Test: direct "
                      + (t.path("direct_problem").isNull()
                          ? "OK"
                          : "FAIL (" + t.path("direct_problem").asString() + ")")
                      + ", relay "
                      + (t.path("relay_connected").asBoolean(false) ? "OK" : "not connected");
            }
            draw(status);
            lastDraw = Instant.now();
          }
        } else {
          Thread.sleep(50);
        }
      }
    } finally {
      out.print("\u001b[?25h\u001b[?1049l");
      out.flush();
      stty(tty, saved);
    }
  }

  private JsonNode fetch(Supplier0 call) {
    try {
      return call.get();
    } catch (IOException e) {
      message = "Agent not reachable: " + e.getMessage();
      return null;
    }
  }

  private interface Supplier0 {
    JsonNode get() throws IOException;
  }

  private void draw(JsonNode status) {
    draws++;
    List<String> body =
        status == null
            ? new ArrayList<>(
                List.of(
                    "The agent is not running or not reachable.",
                    "Start it: systemctl start spoq-agent"))
            : new ArrayList<>(StatusView.lines(status, Instant.now(), true));
    if (!message.isEmpty()) {
      body.add("");
      body.add(message);
    }
    List<String> lines =
        StatusView.boxed("Network Status", body, "[t] Test connection  [r] Refresh  [q] Quit", 64);
    StringBuilder sb = new StringBuilder("\u001b[H\u001b[2J");
    for (String line : lines) {
      sb.append(line).append("\r\n");
    }
    out.print(sb);
    out.flush();
  }

  static String stty(File tty, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("stty");
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectInput(tty)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    byte[] bytes = p.getInputStream().readAllBytes();
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
