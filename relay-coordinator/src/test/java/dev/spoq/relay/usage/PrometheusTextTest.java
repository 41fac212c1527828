package dev.spoq.relay.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static final String A = "spoq-0b6f3c1e-8a53-4a6e-9f33-2f1d2c0a9e11";
  private static final String B = "spoq-7d0e5c2a-1b2c-4d3e-8f90-a1b2c3d4e5f6";

  @Test
  void readsFrpsExpositionWithCountersLabelsCommentsAndExponents() {
    String text =
        FrpsMetricsFixture.render(
            Map.of(
                "JETSON_A", A,
                "JETSON_B", B,
                "A_IN", "1.2345678e+07",
                "A_OUT", "9.87654321e+08",
                "B_IN", "512",
                "B_OUT", "0"));
    PrometheusText.Result result = PrometheusText.parse(text);

    assertThat(result.malformedLines()).isZero();
    assertThat(result.types())
        .containsEntry("frp_server_traffic_in", "counter")
        .containsEntry("frp_server_traffic_out", "counter")
        .containsEntry("frp_server_client_counts", "gauge")
        .containsEntry("go_gc_duration_seconds", "summary");
    assertThat(result.samples())
        .filteredOn(s -> s.name().equals("frp_server_traffic_in") && A.equals(s.label("name")))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.value()).isEqualTo(12_345_678d);
              assertThat(s.label("type")).isEqualTo("udp");
              assertThat(s.timestampMs()).isNull();
            });
    assertThat(result.samples())
        .filteredOn(s -> s.name().equals("frp_server_traffic_out") && A.equals(s.label("name")))
        .singleElement()
        .extracting(PrometheusText.Sample::value)
        .isEqualTo(987_654_321d);
    assertThat(result.samples())
        .filteredOn(s -> s.name().equals("frp_server_client_counts"))
        .singleElement()
        .extracting(PrometheusText.Sample::value)
        .isEqualTo(3d);
    assertThat(result.samples())
        .filteredOn(s -> s.name().equals("go_gc_duration_seconds"))
        .extracting(s -> s.label("quantile"))
        .containsExactly("0", "0.25", "0.5", "0.75", "1");
    assertThat(result.samples())
        .filteredOn(s -> s.name().equals("process_start_time_seconds"))
        .singleElement()
        .extracting(PrometheusText.Sample::value)
        .satisfies(v -> assertThat(v).isCloseTo(1.73251274518e9, within(1.0)));
  }

  @Test
  void labelValuesKeepEscapesCommasBracesAndSpaces() {
    String text =
        "# a free comment line\n"
            + "#\n"
            + "m{path=\"C:\\\\frp\\\\bin\",msg=\"say \\\"hi\\\"\\nbye\",odd=\"a,b}c d=e\"} 7\n"
            + "m2{ a = \"x\" , b=\"y\", } 1\r\n"
            + "\n";
    PrometheusText.Result result = PrometheusText.parse(text);
    assertThat(result.malformedLines()).isZero();
    PrometheusText.Sample m = result.samples().get(0);
    assertThat(m.label("path")).isEqualTo("C:\\frp\\bin");
    assertThat(m.label("msg")).isEqualTo("say \"hi\"\nbye");
    assertThat(m.label("odd")).isEqualTo("a,b}c d=e");
    assertThat(m.value()).isEqualTo(7d);
    assertThat(result.samples().get(1).labels())
        .containsExactly(Map.entry("a", "x"), Map.entry("b", "y"));
  }

  @Test
  void specialValuesAndTimestamps() {
    PrometheusText.Result result =
        PrometheusText.parse(
            "a NaN\nb +Inf\nc -Inf\nd 1.5e-3 1700000000123\ne{x=\"1\"} -2 -5\nf .5\n");
    assertThat(result.malformedLines()).isZero();
    assertThat(result.samples().get(0).value()).isNaN();
    assertThat(result.samples().get(1).value()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(result.samples().get(2).value()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(result.samples().get(3).value()).isEqualTo(0.0015);
    assertThat(result.samples().get(3).timestampMs()).isEqualTo(1_700_000_000_123L);
    assertThat(result.samples().get(4).timestampMs()).isEqualTo(-5L);
    assertThat(result.samples().get(5).value()).isEqualTo(0.5);
  }

  @Test
  void malformedLinesAreSkippedAndCountedNotFatal() {
    PrometheusText.Result result =
        PrometheusText.parse(
            String.join(
                "\n",
                "ok 1",
                "{no=\"name\"} 1",
                "unterminated{a=\"x} 1",
                "novalue{a=\"x\"}",
                "bad{a=\"x\"} one",
                "dup{a=\"1\",a=\"2\"} 1",
                "trailing 1 2 3",
                "badts 1 12.5",
                "9starts_with_digit 1",
                "also_ok{le=\"+Inf\"} 4"));
    assertThat(result.samples())
        .extracting(PrometheusText.Sample::name)
        .containsExactly("ok", "also_ok");
    assertThat(result.malformedLines()).isEqualTo(8);
  }
}
