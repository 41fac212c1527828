package dev.spoq.jump.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Everything the router can be told under {@code spoq.jump.*}; every field has a sane default. */
@ConfigurationProperties("spoq.jump")
@Validated
public record JumpProperties(
    @Valid @DefaultValue Ssh ssh,
    @Valid @DefaultValue Upstream upstream,
    @Valid @DefaultValue Timeouts timeouts,
    @Valid @DefaultValue Limits limits,
    @Valid @DefaultValue Cache cache,
    @Valid @DefaultValue Audit audit) {

  /** The SSH listener users connect to. */
  public record Ssh(
      @DefaultValue("2222") @Min(0) @Max(65535) int port,
      @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
      @DefaultValue("./.run-state/jump-router/ssh_host_ed25519_key") @NotNull Path hostKeyPath,
      @DefaultValue("SpoqJump") @NotBlank String serverVersion) {}

  /**
   * The router's own SSH client towards the containers (direct login).
   *
   * @param clientKeyPath ed25519 private key, generated on first start; containers trust its public
   *     half ({@code .pub} next to it, logged and served at {@code /api/v1/router/keys})
   * @param loginUser account used on the container; empty means the user's Spoq username
   */
  public record Upstream(
      @DefaultValue("./.run-state/jump-router/upstream_ed25519_key") @NotNull Path clientKeyPath,
      @DefaultValue("") String loginUser,
      @DefaultValue("10s") @NotNull Duration connectTimeout,
      @DefaultValue("15s") @NotNull Duration authTimeout) {}

  /** Passed straight to MINA's {@code CoreModuleProperties}. */
  public record Timeouts(
      @DefaultValue("30s") @NotNull Duration loginGrace,
      @DefaultValue("30m") @NotNull Duration idle,
      @DefaultValue("15s") @NotNull Duration channelOpen) {}

  /** Abuse limits. */
  public record Limits(
      @DefaultValue("30") @Min(1) int connectionsPerMinutePerIp,
      @DefaultValue("10") @Min(1) int connectionBurstPerIp,
      @DefaultValue("5") @Min(1) int maxAuthFailures,
      @DefaultValue("10m") @NotNull Duration authFailureWindow,
      @DefaultValue("10m") @NotNull Duration banDuration,
      @DefaultValue("10") @Min(1) int maxSessionsPerUser,
      @DefaultValue("10") @Min(1) int maxChannelsPerSession,
      @DefaultValue("6") @Min(1) int maxAuthAttemptsPerConnection,
      @DefaultValue("100") @Min(1) int maxUnauthenticatedConnections) {}

  /** How long registry answers (keys, routes) are reused; keep well under 60 s. */
  public record Cache(
      @DefaultValue("20s") @NotNull Duration keyTtl,
      @DefaultValue("20s") @NotNull Duration routeTtl) {}

  /** Audit delivery to the registry: bounded queue, never blocks SSH threads. */
  public record Audit(@DefaultValue("10000") @Min(1) int queueCapacity) {}
}
