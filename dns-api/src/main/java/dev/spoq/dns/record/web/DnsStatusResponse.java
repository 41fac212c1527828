package dev.spoq.dns.record.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Answer of {@code GET /api/dns/{subdomain}}: the seed's {@code dns} status block ({@code
 * subdomain}, {@code points_to}, {@code last_update}) plus whether it is applied at the provider.
 * The top-level fields describe the most recently changed record; {@code records} lists A and AAAA.
 * {@code path} is {@code direct} (home address) or {@code relay} (the relay's address, contract
 * C5).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record DnsStatusResponse(
    String subdomain,
    @JsonProperty("points_to") String pointsTo,
    String path,
    @JsonProperty("last_update") String lastUpdate,
    String state,
    String type,
    String provider,
    @JsonProperty("last_applied") String lastApplied,
    @JsonProperty("last_error") String lastError,
    List<RecordView> records,
    List<HistoryView> history) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record RecordView(
      String type,
      @JsonProperty("points_to") String pointsTo,
      String path,
      @JsonProperty("last_update") String lastUpdate,
      String state,
      @JsonProperty("last_applied") String lastApplied,
      @JsonProperty("last_error") String lastError,
      @JsonProperty("next_attempt") String nextAttempt) {}

  record HistoryView(
      String type, @JsonProperty("points_to") String pointsTo, String path, String at) {}
}
