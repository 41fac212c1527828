package dev.spoq.registry.device;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.registry.jetson.Jetson;
import dev.spoq.registry.jetson.JetsonService;
import dev.spoq.registry.security.DeviceCaller;
import dev.spoq.registry.wireguard.WireGuardConfigs;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

/**
 * The agent's view of its own Jetson's peers, profiles and devices (device token). Used by peer
 * sync and by {@code spoq device add --qr}, which registers a device made on the Jetson itself.
 */
@RestController
@RequestMapping("/api/jetsons/self")
class AgentDeviceController {

  private final PeerSetService peerSets;
  private final PeerPush peerPush;
  private final DeviceService devices;
  private final JetsonService jetsons;
  private final DeviceViews views;

  AgentDeviceController(
      PeerSetService peerSets,
      PeerPush peerPush,
      DeviceService devices,
      JetsonService jetsons,
      DeviceViews views) {
    this.peerSets = peerSets;
    this.peerPush = peerPush;
    this.devices = devices;
    this.jetsons = jetsons;
    this.views = views;
  }

  /**
   * The peer set; 304 when {@code If-None-Match} names the current version (the agent's ETag poll).
   * Answered synchronously: an async result, even one set at once, would cost a second dispatch
   * through the whole filter chain.
   */
  @GetMapping("/peers")
  ResponseEntity<PeerPush.PeerSetResponse> peers(
      DeviceCaller caller,
      @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
    return peerPush.current(caller.jetsonId(), ifNoneMatch);
  }

  /**
   * The same with {@code wait} (1..55 s): an unchanged set is a long-poll, 200 as soon as it
   * changes, else 304 after {@code wait}.
   */
  @GetMapping(value = "/peers", params = "wait")
  DeferredResult<ResponseEntity<PeerPush.PeerSetResponse>> waitForPeers(
      DeviceCaller caller,
      @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch,
      @RequestParam(required = false) Integer wait) {
    if (wait != null && (wait < 1 || wait > PeerPush.MAX_WAIT_SECONDS)) {
      throw ApiProblemException.invalid(
          "wait must be 1.." + PeerPush.MAX_WAIT_SECONDS + " seconds.");
    }
    return peerPush.poll(caller.jetsonId(), ifNoneMatch, wait == null ? 0 : wait);
  }

  @GetMapping(value = "/wireguard-config", produces = MediaType.TEXT_PLAIN_VALUE)
  ResponseEntity<String> jetsonConfig(
      DeviceCaller caller,
      @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
    long version = peerSets.version(caller.jetsonId());
    if (PeerSetService.matches(ifNoneMatch, version)) {
      return ResponseEntity.status(HttpStatus.NOT_MODIFIED)
          .eTag(PeerSetService.etag(version))
          .build();
    }
    PeerSetService.PeerSet set = peerSets.peerSet(caller.jetsonId());
    return ResponseEntity.ok()
        .eTag(PeerSetService.etag(set.version()))
        .contentType(MediaType.TEXT_PLAIN)
        .body(WireGuardConfigs.jetson(set.peers()));
  }

  @GetMapping("/profiles")
  List<DeviceViews.ProfileResponse> profiles(DeviceCaller caller) {
    return devices.profiles(caller, caller.jetsonId()).stream().map(views::profile).toList();
  }

  @PostMapping("/profiles")
  ResponseEntity<DeviceViews.ProfileResponse> createProfile(
      DeviceCaller caller, @Valid @RequestBody DeviceViews.CreateProfileRequest request) {
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(
            views.profile(
                devices.createProfile(
                    caller, caller.jetsonId(), request.number(), request.name())));
  }

  @GetMapping("/devices")
  List<DeviceViews.DeviceResponse> list(
      DeviceCaller caller, @RequestParam(defaultValue = "false") boolean includeRevoked) {
    return devices.list(caller, caller.jetsonId(), includeRevoked).stream()
        .map(views::device)
        .toList();
  }

  @PostMapping("/devices")
  ResponseEntity<DeviceViews.CreatedDeviceResponse> create(
      DeviceCaller caller, @Valid @RequestBody DeviceViews.CreateDeviceRequest request) {
    UUID jetsonId = caller.jetsonId();
    Device device =
        devices.create(caller, jetsonId, request.profile(), request.name(), request.publicKey());
    Jetson jetson = jetsons.visible(caller, jetsonId, "device.create");
    return ResponseEntity.created(URI.create("/api/jetsons/self/devices/" + device.id()))
        .body(
            new DeviceViews.CreatedDeviceResponse(
                views.device(device), views.clientConfig(jetson, device)));
  }

  @GetMapping("/devices/{deviceId}")
  DeviceViews.DeviceDetailResponse get(DeviceCaller caller, @PathVariable UUID deviceId) {
    return views.detail(devices.get(caller, caller.jetsonId(), deviceId));
  }

  @PutMapping("/devices/{deviceId}/public-key")
  DeviceViews.DeviceDetailResponse replaceKey(
      DeviceCaller caller,
      @PathVariable UUID deviceId,
      @Valid @RequestBody DeviceViews.ReplaceKeyRequest request) {
    return views.detail(
        devices.replaceKey(caller, caller.jetsonId(), deviceId, request.publicKey()));
  }

  @PostMapping("/devices/{deviceId}/revoke")
  DeviceViews.DeviceResponse revoke(DeviceCaller caller, @PathVariable UUID deviceId) {
    return views.device(devices.revoke(caller, caller.jetsonId(), deviceId));
  }

  @GetMapping(value = "/devices/{deviceId}/wireguard-config", produces = MediaType.TEXT_PLAIN_VALUE)
  String clientConfigText(DeviceCaller caller, @PathVariable UUID deviceId) {
    return clientConfig(caller, deviceId).config();
  }

  @GetMapping("/devices/{deviceId}/client-config")
  WireGuardConfigs.ClientConfig clientConfigJson(DeviceCaller caller, @PathVariable UUID deviceId) {
    return clientConfig(caller, deviceId);
  }

  private WireGuardConfigs.ClientConfig clientConfig(DeviceCaller caller, UUID deviceId) {
    Device device = devices.get(caller, caller.jetsonId(), deviceId).device();
    if (device.revoked()) {
      throw ApiProblemException.conflict("This device is revoked; it has no config any more.");
    }
    return views.clientConfig(jetsons.visible(caller, caller.jetsonId(), "device.config"), device);
  }
}
