package dev.spoq.registry.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The agent's status report: the JSON shape of the seed's {@code GET /api/device/status}
 * (snake_case), plus a few optional facts the agent knows. Every field is optional; unknown fields
 * are refused.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusReport(
    @Valid WireGuard wireguard,
    @Valid Upnp upnp,
    @Valid Relay relay,
    @Valid Dns dns,
    @Valid Connection connection,
    @Valid Agent agent) {

  static final String TEXT = "^[A-Za-z0-9 ._:/@+=()\\[\\],-]*$";

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record WireGuard(
      @JsonProperty("interface") @Size(max = 15) @Pattern(regexp = TEXT) String iface,
      @JsonProperty("public_key") @Size(max = 44) @Pattern(regexp = TEXT) String publicKey,
      @JsonProperty("listen_port") @Min(1) @Max(65535) Integer listenPort,
      @Size(max = 18) @Pattern(regexp = TEXT) String address,
      @Size(max = 256) List<@Valid Peer> peers) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Peer(
      @JsonProperty("public_key") @Size(max = 44) @Pattern(regexp = TEXT) String publicKey,
      @Size(max = 64) @Pattern(regexp = TEXT) String endpoint,
      @JsonProperty("allowed_ips") @Size(max = 64) @Pattern(regexp = TEXT) String allowedIps,
      @JsonProperty("last_handshake") @Size(max = 40) @Pattern(regexp = TEXT) String lastHandshake,
      @JsonProperty("transfer_rx") @PositiveOrZero Long transferRx,
      @JsonProperty("transfer_tx") @PositiveOrZero Long transferTx) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Upnp(
      @Size(max = 32) @Pattern(regexp = TEXT) String status,
      @JsonProperty("external_ip") @Size(max = 45) @Pattern(regexp = TEXT) String externalIp,
      @JsonProperty("external_port") @Min(1) @Max(65535) Integer externalPort,
      @JsonProperty("lease_seconds") @PositiveOrZero Long leaseSeconds,
      @Size(max = 200) @Pattern(regexp = TEXT) String error) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Relay(
      Boolean connected,
      @Size(max = 253) @Pattern(regexp = TEXT) String server,
      @Size(max = 32) @Pattern(regexp = TEXT) String region,
      @JsonProperty("remote_port") @Min(1) @Max(65535) Integer remotePort) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Dns(
      @Size(max = 253) @Pattern(regexp = TEXT) String subdomain,
      @JsonProperty("points_to") @Size(max = 45) @Pattern(regexp = TEXT) String pointsTo,
      @JsonProperty("last_update") @Size(max = 40) @Pattern(regexp = TEXT) String lastUpdate) {}

  /** Which path clients should use now: direct, holepunch, relay or offline. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Connection(
      @Pattern(regexp = "^(direct|holepunch|relay|offline)$") String mode,
      @Size(max = 40) @Pattern(regexp = TEXT) String since) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Agent(
      @Size(max = 40) @Pattern(regexp = TEXT) String version,
      @Size(max = 253) @Pattern(regexp = TEXT) String hostname,
      @JsonProperty("uptime_seconds") @PositiveOrZero Long uptimeSeconds) {}
}
