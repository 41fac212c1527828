package dev.spoq.relay.usage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * frps's {@code /metrics} exposition as the Prometheus Go client writes it (frp registers its
 * {@code frp_server_*} collectors next to the default Go and process collectors; large counters are
 * printed in exponent form, e.g. {@code 1.2345678e+07}). Placeholders are filled per test.
 */
public final class FrpsMetricsFixture {

  private FrpsMetricsFixture() {}

  public static String render(Map<String, String> values) {
    String text;
    try (InputStream in =
        FrpsMetricsFixture.class.getResourceAsStream("/frps/metrics-template.txt")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Map.Entry<String, String> e : values.entrySet()) {
      text = text.replace("${" + e.getKey() + "}", e.getValue());
    }
    return text;
  }
}
