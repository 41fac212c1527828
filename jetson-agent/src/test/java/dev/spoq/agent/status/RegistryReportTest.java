package dev.spoq.agent.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class RegistryReportTest {

  @Test
  void projectsOntoTheRegistrySchemaOnly() {
    JsonNode full =
        JsonMapper.builder()
            .build()
            .readTree(
                """
                {"wireguard":{"interface":"wg0","up":true,"implementation":"wireguard-go",
                  "public_key":"k","address":"10.100.0.1/24","listen_port":51820,
                  "peers":[{"name":"alice's phone","public_key":"p","allowed_ips":"10.100.0.10/32",
                    "endpoint":"1.2.3.4:5","last_handshake":null,"transfer_rx":1,"transfer_tx":2}]},
                 "upnp":{"status":"failed","external_ip":null,"external_port":null,"gateway":"g",
                   "lease_seconds":3600,"error":"UPnP error 718 \\"ConflictInMappingEntry\\"; x"},
                 "relay":{"connected":true,"server":"r:7000","region":"eu","remote_port":40017,"restarts":3},
                 "dns":{"subdomain":"alice.spoq.dev","points_to":"73.1.2.3","last_update":null,"matches":true},
                 "path":"none","connection":{"mode":"offline","since":"2026-01-01T00:00:00Z"},
                 "agent":{"hostname":"jetson","jetson_id":"x"}}
                """);
    JsonNode r = RegistryReport.project(full, "0.1.0", 42);
    assertThat(fields(r))
        .containsExactlyInAnyOrder("wireguard", "upnp", "relay", "dns", "connection", "agent");
    assertThat(fields(r.get("wireguard")))
        .containsExactlyInAnyOrder("interface", "public_key", "listen_port", "address", "peers");
    assertThat(fields(r.get("wireguard").get("peers").get(0)))
        .containsExactlyInAnyOrder(
            "public_key", "endpoint", "allowed_ips", "transfer_rx", "transfer_tx");
    assertThat(fields(r.get("relay")))
        .containsExactlyInAnyOrder("connected", "server", "region", "remote_port");
    assertThat(r.get("upnp").get("error").asString()).doesNotContain("\"", ";");
    assertThat(r.get("connection").get("mode").asString()).isEqualTo("offline");
    assertThat(r.get("agent").get("uptime_seconds").asLong()).isEqualTo(42);
  }

  static List<String> fields(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.propertyNames().forEach(names::add);
    return names;
  }
}
