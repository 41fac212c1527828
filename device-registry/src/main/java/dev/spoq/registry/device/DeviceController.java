package dev.spoq.registry.device;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.jetson.Jetson;
import dev.spoq.registry.jetson.JetsonService;
import dev.spoq.registry.security.ApiKeyCaller;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Profiles and devices of a Jetson, for the web app (API key of the owning account, or admin). */
@RestController
@RequestMapping("/api/jetsons/{jetsonId}")
class DeviceController {

  private final DeviceService devices;
  private final JetsonService jetsons;
  private final DeviceViews views;

  DeviceController(DeviceService devices, JetsonService jetsons, DeviceViews views) {
    this.devices = devices;
    this.jetsons = jetsons;
    this.views = views;
  }

  @GetMapping("/profiles")
  List<DeviceViews.ProfileResponse> profiles(ApiKeyCaller caller, @PathVariable UUID jetsonId) {
    return devices.profiles(caller, jetsonId).stream().map(views::profile).toList();
  }

  @PostMapping("/profiles")
  ResponseEntity<DeviceViews.ProfileResponse> createProfile(
      ApiKeyCaller caller,
      @PathVariable UUID jetsonId,
      @Valid @RequestBody DeviceViews.CreateProfileRequest request) {
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(
            views.profile(
                devices.createProfile(caller, jetsonId, request.number(), request.name())));
  }

  @GetMapping("/devices")
  List<DeviceViews.DeviceResponse> list(
      ApiKeyCaller caller,
      @PathVariable UUID jetsonId,
      @RequestParam(defaultValue = "false") boolean includeRevoked) {
    return devices.list(caller, jetsonId, includeRevoked).stream().map(views::device).toList();
  }

  @PostMapping("/devices")
  ResponseEntity<DeviceViews.CreatedDeviceResponse> create(
      ApiKeyCaller caller,
      @PathVariable UUID jetsonId,
      @Valid @RequestBody DeviceViews.CreateDeviceRequest request) {
    Device device =
        devices.create(caller, jetsonId, request.profile(), request.name(), request.publicKey());
    Jetson jetson = jetsons.visible(caller, jetsonId, "device.create");
    return ResponseEntity.created(
            URI.create("/api/jetsons/" + jetsonId + "/devices/" + device.id()))
        .body(
            new DeviceViews.CreatedDeviceResponse(
                views.device(device), views.clientConfig(jetson, device)));
  }

  @GetMapping("/devices/{deviceId}")
  DeviceViews.DeviceDetailResponse get(
      ApiKeyCaller caller, @PathVariable UUID jetsonId, @PathVariable UUID deviceId) {
    return views.detail(devices.get(caller, jetsonId, deviceId));
  }

  @PutMapping("/devices/{deviceId}/public-key")
  DeviceViews.DeviceDetailResponse replaceKey(
      ApiKeyCaller caller,
      @PathVariable UUID jetsonId,
      @PathVariable UUID deviceId,
      @Valid @RequestBody DeviceViews.ReplaceKeyRequest request) {
    return views.detail(devices.replaceKey(caller, jetsonId, deviceId, request.publicKey()));
  }

  @PostMapping("/devices/{deviceId}/revoke")
  DeviceViews.DeviceResponse revoke(
      ApiKeyCaller caller, @PathVariable UUID jetsonId, @PathVariable UUID deviceId) {
    return views.device(devices.revoke(caller, jetsonId, deviceId));
  }

  @GetMapping(value = "/devices/{deviceId}/wireguard-config", produces = MediaType.TEXT_PLAIN_VALUE)
  String clientConfigText(
      ApiKeyCaller caller, @PathVariable UUID jetsonId, @PathVariable UUID deviceId) {
    return clientConfig(caller, jetsonId, deviceId).config();
  }

  @GetMapping("/devices/{deviceId}/client-config")
  dev.spoq.registry.wireguard.WireGuardConfigs.ClientConfig clientConfigJson(
      ApiKeyCaller caller, @PathVariable UUID jetsonId, @PathVariable UUID deviceId) {
    return clientConfig(caller, jetsonId, deviceId);
  }

  private dev.spoq.registry.wireguard.WireGuardConfigs.ClientConfig clientConfig(
      ApiKeyCaller caller, UUID jetsonId, UUID deviceId) {
    Device device = devices.get(caller, jetsonId, deviceId).device();
    if (device.revoked()) {
      throw ApiProblemException.conflict("This device is revoked; it has no config any more.");
    }
    Jetson jetson = jetsons.visible(caller, jetsonId, "device.config");
    return views.clientConfig(jetson, device);
  }
}
