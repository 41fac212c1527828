package dev.spoq.jump.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
      @DefaultValue("SpoqJump") @NotBlank String serverVersion,
      @Valid @DefaultValue ProxyProtocol proxyProtocol) {}

  /**
   * PROXY protocol (v1 and v2) from a TCP balancer in front of the SSH port, so limits, bans and
   * audit see each client's own address.
   *
   * @param trustedFrom balancer addresses or CIDR ranges whose connections must start with a PROXY
   *     header; empty (the default) turns the feature off. Other peers are direct clients, and a
   *     PROXY header from them is refused.
   */
  public record ProxyProtocol(@DefaultValue List<@NotBlank String> trustedFrom) {}

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

  /**
   * Abuse limits; see {@code limits.ConnectionGuard}.
   *
   * @param unauthenticatedPerMinutePerIp refill of an address's failure budget (connections that
   *     end unauthenticated); authenticated connections cost nothing
   * @param unauthenticatedBurstPerIp size of that budget; once spent, the address may hold only
   *     {@code throttledPerSourceMaxStartups} unauthenticated connections at a time
   * @param maxAuthFailures failed logins of one (address, username) before that pair is banned
   * @param maxAuthFailuresPerAddress failed logins from one address (any usernames) before the
   *     address is banned
   * @param maxStartups OpenSSH's {@code start:rate:full} random early drop of unauthenticated
   *     connections
   * @param perSourceMaxStartups unauthenticated connections one address may hold at once
   * @param throttledPerSourceMaxStartups the same while the address's failure budget is spent
   * @param maxChannelsPerSession open channels per connection; one more is refused alone
   */
  public record Limits(
      @DefaultValue("30") @Min(1) int unauthenticatedPerMinutePerIp,
      @DefaultValue("10") @Min(1) int unauthenticatedBurstPerIp,
      @DefaultValue("5") @Min(1) int maxAuthFailures,
      @DefaultValue("30") @Min(1) int maxAuthFailuresPerAddress,
      @DefaultValue("10m") @NotNull Duration authFailureWindow,
      @DefaultValue("10m") @NotNull Duration banDuration,
      @DefaultValue("10") @Min(1) int maxSessionsPerUser,
      @DefaultValue("100") @Min(1) int maxChannelsPerSession,
      @DefaultValue("6") @Min(1) int maxAuthAttemptsPerConnection,
      @DefaultValue("10:30:100") @Pattern(regexp = "\\d+:\\d+:\\d+") String maxStartups,
      @DefaultValue("10") @Min(1) int perSourceMaxStartups,
      @DefaultValue("3") @Min(1) int throttledPerSourceMaxStartups) {}

  /** How long registry answers (keys, routes) are reused; keep well under 60 s. */
  public record Cache(
      @DefaultValue("20s") @NotNull Duration keyTtl,
      @DefaultValue("20s") @NotNull Duration routeTtl) {}

  /** Audit delivery to the registry: bounded queue, never blocks SSH threads. */
  public record Audit(@DefaultValue("10000") @Min(1) int queueCapacity) {}
}
