package dev.spoq.relay.usage;

import dev.spoq.relay.assignment.ProxyNames;
import dev.spoq.relay.fleet.RelayRepository;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Turns one frps {@code /metrics} scrape into stored usage. {@code frp_server_traffic_in} and
 * {@code frp_server_traffic_out} are counters labelled {@code name} (proxy name) and {@code type};
 * each Spoq proxy name maps to one Jetson ({@link ProxyNames}). Totals grow by the counter's
 * increase since the last scrape; a counter lower than last time means frps restarted (counters
 * reset to 0), so the whole new value is added.
 */
@Component
class UsageRecorder {

  static final String TRAFFIC_IN = "frp_server_traffic_in";
  static final String TRAFFIC_OUT = "frp_server_traffic_out";
  static final String CLIENT_COUNTS = "frp_server_client_counts";
  static final String PROXY_COUNTS = "frp_server_proxy_counts";

  private final JdbcClient jdbc;
  private final RelayRepository relays;

  UsageRecorder(JdbcClient jdbc, RelayRepository relays) {
    this.jdbc = jdbc;
    this.relays = relays;
  }

  /** What one scrape contributed. */
  record Outcome(int jetsons, int ignoredSeries, Long clients, Long proxies) {}

  @Transactional
  public Outcome record(String relayId, PrometheusText.Result metrics) {
    Map<UUID, double[]> raw = new LinkedHashMap<>();
    int ignored = 0;
    Long clients = null;
    long proxies = 0;
    boolean sawProxies = false;
    for (PrometheusText.Sample s : metrics.samples()) {
      switch (s.name()) {
        case TRAFFIC_IN, TRAFFIC_OUT -> {
          var jetson = ProxyNames.jetson(s.label("name"));
          if (jetson.isEmpty() || !Double.isFinite(s.value()) || s.value() < 0) {
            ignored++;
            continue;
          }
          double[] inOut = raw.computeIfAbsent(jetson.get(), k -> new double[] {-1, -1});
          inOut[s.name().equals(TRAFFIC_IN) ? 0 : 1] = s.value();
        }
        case CLIENT_COUNTS -> {
          if (Double.isFinite(s.value())) {
            clients = (long) s.value();
          }
        }
        case PROXY_COUNTS -> {
          if (Double.isFinite(s.value())) {
            proxies += (long) s.value();
            sawProxies = true;
          }
        }
        default -> {}
      }
    }
    List<Object[]> rows = new ArrayList<>();
    raw.forEach(
        (jetson, inOut) -> {
          rows.add(new Object[] {jetson, Math.max(0, inOut[0]), Math.max(0, inOut[1])});
        });
    for (Object[] row : rows) {
      jdbc.sql(
              """
              INSERT INTO jetson_usage (relay_id, jetson_id, last_raw_in, last_raw_out, bytes_in,
                bytes_out, updated_at)
              VALUES (:relay, :jetson, :rin, :rout, round(:rin), round(:rout), now())
              ON CONFLICT (relay_id, jetson_id) DO UPDATE SET
                bytes_in = jetson_usage.bytes_in + round(CASE
                  WHEN EXCLUDED.last_raw_in >= jetson_usage.last_raw_in
                  THEN EXCLUDED.last_raw_in - jetson_usage.last_raw_in
                  ELSE EXCLUDED.last_raw_in END),
                bytes_out = jetson_usage.bytes_out + round(CASE
                  WHEN EXCLUDED.last_raw_out >= jetson_usage.last_raw_out
                  THEN EXCLUDED.last_raw_out - jetson_usage.last_raw_out
                  ELSE EXCLUDED.last_raw_out END),
                last_raw_in = EXCLUDED.last_raw_in,
                last_raw_out = EXCLUDED.last_raw_out,
                updated_at = now()
              """)
          .param("relay", relayId)
          .param("jetson", row[0])
          .param("rin", row[1])
          .param("rout", row[2])
          .update();
    }
    Long proxyCount = sawProxies ? proxies : null;
    relays.recordScrape(relayId, clients, proxyCount);
    return new Outcome(rows.size(), ignored, clients, proxyCount);
  }
}
