package dev.spoq.relayserver.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * relay-server settings ({@code spoq.relay.*}, env {@code SPOQ_RELAY_*}); README has the reference.
 * The Jetson set comes from the coordinator ({@code coordinator.url}) or, for a static relay, from
 * {@code jetsons-file} (same JSON body as the coordinator's answer).
 */
@Validated
@ConfigurationProperties("spoq.relay")
public record RelayProperties(
    @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
    @DefaultValue("51820") @Min(1) @Max(65535) int clientPort,
    @DefaultValue("51821") @Min(1) @Max(65535) int agentPort,
    @Valid @NotNull @DefaultValue Coordinator coordinator,
    String jetsonsFile,
    @Valid @NotNull @DefaultValue Limits limits) {

  /**
   * @param url relay-coordinator base URL, e.g. http://coordinator:8083
   * @param relayId this relay's id at the coordinator
   * @param token this relay's token ({@code spoq_rls_...})
   * @param longPollWait long-poll wait per request (0..30 s)
   * @param reportInterval how often sessions and usage are reported (at most 10 s)
   */
  public record Coordinator(
      String url,
      String relayId,
      String token,
      @DefaultValue("25s") @NotNull Duration longPollWait,
      @DefaultValue("10s") @NotNull Duration reportInterval) {

    public boolean configured() {
      return url != null && !url.isBlank();
    }
  }

  /**
   * @param initiationsPerSecondPerSource handshake initiations accepted per client IP and second
   * @param initiationBurst bucket size for the above
   * @param mac1ChecksPerSecond relay-wide budget for mac1 scans (initiations from unknown sources),
   *     in Jetsons checked per second: a scan over N Jetsons costs N. Caps the CPU spent on scans
   *     (about 1 us per check) whatever the set size.
   * @param newFlowsPerSecondPerSource new client flows per client IP and second
   * @param hellosPerSecondPerSource agent hellos per agent IP and second
   * @param helloClockSkew accepted distance between a hello's timestamp and the relay's clock
   * @param maxFlows client flows held at once
   * @param maxIndices learned WireGuard receiver indices held at once
   * @param maxIndicesPerJetson indices one Jetson may own at once
   * @param maxSources per-source rate-limit buckets; beyond, new sources share one bucket
   * @param flowIdle a client flow without traffic expires after this
   * @param indexIdle a learned index without traffic expires after this
   * @param agentIdle an agent session without a frame expires after this (keepalives are 20 s)
   */
  public record Limits(
      @DefaultValue("10") @Min(1) int initiationsPerSecondPerSource,
      @DefaultValue("20") @Min(1) int initiationBurst,
      @DefaultValue("300000") @Min(1) int mac1ChecksPerSecond,
      @DefaultValue("20") @Min(1) int newFlowsPerSecondPerSource,
      @DefaultValue("50") @Min(1) int hellosPerSecondPerSource,
      @DefaultValue("30s") @NotNull Duration helloClockSkew,
      @DefaultValue("262144") @Min(1) int maxFlows,
      @DefaultValue("524288") @Min(1) int maxIndices,
      @DefaultValue("4096") @Min(1) int maxIndicesPerJetson,
      @DefaultValue("100000") @Min(1) int maxSources,
      @DefaultValue("5m") @NotNull Duration flowIdle,
      @DefaultValue("5m") @NotNull Duration indexIdle,
      @DefaultValue("90s") @NotNull Duration agentIdle) {}
}
