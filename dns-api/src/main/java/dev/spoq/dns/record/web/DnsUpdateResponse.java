package dev.spoq.dns.record.web;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer of {@code POST /api/dns/update}. */
record DnsUpdateResponse(
    String status,
    String subdomain,
    String type,
    @JsonProperty("points_to") String pointsTo,
    String path,
    @JsonProperty("last_update") String lastUpdate) {}
