package dev.spoq.registry.device;

import dev.spoq.registry.config.RegistryProperties;
import dev.spoq.registry.jetson.Jetson;
import dev.spoq.registry.wireguard.WireGuardConfigs;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** Request and response bodies of the device endpoints, shared by the web-app and agent APIs. */
@Component
class DeviceViews {

  static final String NAME_REGEX = "^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$";
  static final String NAME_MESSAGE =
      "must be 1-63 of letters, digits, space, '.', '_' and '-', starting with a letter or digit";

  record CreateDeviceRequest(
      @jakarta.validation.constraints.NotNull
          @jakarta.validation.constraints.Pattern(regexp = NAME_REGEX, message = NAME_MESSAGE)
          String name,
      @jakarta.validation.constraints.NotNull
          @jakarta.validation.constraints.Min(1)
          @jakarta.validation.constraints.Max(24)
          Integer profile,
      @jakarta.validation.constraints.NotNull @jakarta.validation.constraints.Size(max = 100)
          String publicKey) {}

  record ReplaceKeyRequest(
      @jakarta.validation.constraints.NotNull @jakarta.validation.constraints.Size(max = 100)
          String publicKey) {}

  record CreateProfileRequest(
      @jakarta.validation.constraints.NotNull
          @jakarta.validation.constraints.Pattern(regexp = NAME_REGEX, message = NAME_MESSAGE)
          String name,
      @jakarta.validation.constraints.Min(1) @jakarta.validation.constraints.Max(24)
          Integer number) {}

  record ProfileResponse(int number, String name, String addresses, Instant createdAt) {}

  record DeviceResponse(
      UUID id,
      UUID jetsonId,
      int profile,
      String name,
      String publicKey,
      String address,
      String allowedIps,
      boolean revoked,
      Instant createdAt,
      Instant keyUpdatedAt,
      Instant revokedAt) {}

  record KeyHistoryResponse(String publicKey, Instant validFrom, Instant replacedAt) {}

  record DeviceDetailResponse(DeviceResponse device, List<KeyHistoryResponse> keyHistory) {}

  /** Answer of device creation: the device and its client config (PrivateKey left to fill in). */
  record CreatedDeviceResponse(DeviceResponse device, WireGuardConfigs.ClientConfig clientConfig) {}

  private final RegistryProperties properties;

  DeviceViews(RegistryProperties properties) {
    this.properties = properties;
  }

  DeviceResponse device(Device d) {
    return new DeviceResponse(
        d.id(),
        d.jetsonId(),
        d.profile(),
        d.name(),
        d.publicKey(),
        d.address(),
        d.revoked() ? null : d.address() + "/32",
        d.revoked(),
        d.createdAt(),
        d.keyUpdatedAt(),
        d.revokedAt());
  }

  DeviceDetailResponse detail(DeviceService.DeviceDetail detail) {
    return new DeviceDetailResponse(
        device(detail.device()),
        detail.keyHistory().stream()
            .map(h -> new KeyHistoryResponse(h.publicKey(), h.validFrom(), h.replacedAt()))
            .toList());
  }

  ProfileResponse profile(DeviceRepository.Profile p) {
    int first = p.number() * 10;
    return new ProfileResponse(
        p.number(), p.name(), "10.100.0." + first + "-10.100.0." + (first + 9), p.createdAt());
  }

  WireGuardConfigs.ClientConfig clientConfig(Jetson jetson, Device d) {
    return WireGuardConfigs.client(
        d.id(),
        d.name(),
        d.profile(),
        d.address(),
        jetson.publicKey(),
        properties.fqdn(jetson.subdomain()));
  }
}
