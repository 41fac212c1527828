package dev.spoq.registry.device;

import dev.spoq.common.ipplan.WireGuardAddressPlan;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.problem.ProblemTypes;
import dev.spoq.registry.audit.AuditLog;
import dev.spoq.registry.jetson.Jetson;
import dev.spoq.registry.jetson.JetsonRepository;
import dev.spoq.registry.jetson.JetsonService;
import dev.spoq.registry.push.RevocationLog;
import dev.spoq.registry.security.Access;
import dev.spoq.registry.security.Caller;
import dev.spoq.registry.wireguard.PublicKeys;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Profiles and devices of a Jetson, and their addresses. Allocation locks the Jetson row, so
 * concurrent registrations on one Jetson are serialised; the unique constraint on (jetson_id,
 * host_octet) is the database's guarantee on top of that.
 */
@Service
public class DeviceService {

  static final java.net.URI PROFILE_FULL = ProblemTypes.of("profile-full");
  static final java.net.URI PROFILES_EXHAUSTED = ProblemTypes.of("profiles-exhausted");

  record DeviceDetail(Device device, List<DeviceRepository.KeyHistoryEntry> keyHistory) {}

  private final DeviceRepository devices;
  private final JetsonRepository jetsonRepository;
  private final JetsonService jetsons;
  private final AuditLog auditLog;
  private final RevocationLog revocations;
  private final Access access;

  DeviceService(
      DeviceRepository devices,
      JetsonRepository jetsonRepository,
      JetsonService jetsons,
      AuditLog auditLog,
      RevocationLog revocations,
      Access access) {
    this.devices = devices;
    this.jetsonRepository = jetsonRepository;
    this.jetsons = jetsons;
    this.auditLog = auditLog;
    this.revocations = revocations;
    this.access = access;
  }

  @Transactional(readOnly = true)
  List<DeviceRepository.Profile> profiles(Caller caller, UUID jetsonId) {
    jetsons.visible(caller, jetsonId, "profile.list");
    return devices.profiles(jetsonId);
  }

  /** Adds a profile: the given number, or the lowest free one; 409 past 24. */
  @Transactional
  DeviceRepository.Profile createProfile(
      Caller caller, UUID jetsonId, Integer number, String name) {
    Jetson jetson = jetsons.lockForChange(caller, jetsonId, "profile.create");
    Set<Integer> used = new HashSet<>();
    for (DeviceRepository.Profile p : devices.profiles(jetsonId)) {
      used.add(p.number());
      if (p.name().equals(name)) {
        throw ApiProblemException.conflict("A profile named '" + name + "' exists already.");
      }
    }
    int chosen;
    if (number != null) {
      if (used.contains(number)) {
        throw ApiProblemException.conflict("Profile " + number + " exists already.");
      }
      chosen = number;
    } else {
      chosen = 0;
      for (int n = 1; n <= WireGuardAddressPlan.MAX_PROFILES && chosen == 0; n++) {
        if (!used.contains(n)) {
          chosen = n;
        }
      }
      if (chosen == 0) {
        throw new ApiProblemException(
            HttpStatus.CONFLICT,
            PROFILES_EXHAUSTED,
            "No free profile",
            "This Jetson already has all "
                + WireGuardAddressPlan.MAX_PROFILES
                + " profiles; remove one before adding another.");
      }
    }
    devices.insertProfile(jetsonId, chosen, name);
    auditLog.success(
        caller,
        "profile.create",
        "jetson:" + jetsonId + "/profile:" + chosen,
        jetson.accountId(),
        Map.of("name", name));
    int created = chosen;
    return devices.profiles(jetsonId).stream()
        .filter(p -> p.number() == created)
        .findFirst()
        .orElseThrow();
  }

  /** Registers a device in a profile and gives it the profile's lowest free address. */
  @Transactional
  public Device create(Caller caller, UUID jetsonId, int profile, String name, String publicKey) {
    String key = PublicKeys.require("publicKey", publicKey);
    Jetson jetson = jetsons.lockForChange(caller, jetsonId, "device.create");
    boolean profileExists =
        devices.profiles(jetsonId).stream().anyMatch(p -> p.number() == profile);
    if (!profileExists) {
      throw ApiProblemException.notFound(
          "Profile " + profile + " does not exist on this Jetson; create it first.");
    }
    if (key.equals(jetson.publicKey()) || devices.activeKeyExists(jetsonId, key)) {
      throw ApiProblemException.conflict(
          "This public key is already registered on this Jetson; every device needs its own key.");
    }
    if (devices.activeNameExists(jetsonId, name)) {
      throw ApiProblemException.conflict("A device named '" + name + "' exists already.");
    }
    Set<Integer> used = new HashSet<>(devices.usedOctets(jetsonId, profile));
    Integer free =
        WireGuardAddressPlan.hostOctetsOf(profile).stream()
            .filter(o -> !used.contains(o))
            .findFirst()
            .orElse(null);
    if (free == null) {
      List<Integer> range = WireGuardAddressPlan.hostOctetsOf(profile);
      throw new ApiProblemException(
          HttpStatus.CONFLICT,
          PROFILE_FULL,
          "Profile full",
          "Profile "
              + profile
              + " is full: all "
              + WireGuardAddressPlan.DEVICES_PER_PROFILE
              + " addresses ("
              + WireGuardAddressPlan.address(range.get(0))
              + "-"
              + WireGuardAddressPlan.address(range.get(range.size() - 1))
              + ") are in use. Revoke one of its devices or use another profile.",
          Map.of("profile", profile));
    }
    UUID id = devices.insert(jetsonId, profile, name, key, free);
    jetsonRepository.bumpPeerVersion(jetsonId);
    Device device = devices.find(jetsonId, id).orElseThrow();
    auditLog.success(
        caller,
        "device.create",
        "jetson:" + jetsonId + "/device:" + id,
        jetson.accountId(),
        Map.of("name", name, "address", device.address(), "publicKey", key));
    return device;
  }

  @Transactional(readOnly = true)
  List<Device> list(Caller caller, UUID jetsonId, boolean includeRevoked) {
    jetsons.visible(caller, jetsonId, "device.list");
    return includeRevoked ? devices.allOf(jetsonId) : devices.activeOf(jetsonId);
  }

  @Transactional(readOnly = true)
  public DeviceDetail get(Caller caller, UUID jetsonId, UUID deviceId) {
    jetsons.visible(caller, jetsonId, "device.read");
    Device device = findOrDeny(caller, jetsonId, deviceId, "device.read");
    return new DeviceDetail(device, devices.keyHistory(deviceId));
  }

  @Transactional
  Device revoke(Caller caller, UUID jetsonId, UUID deviceId) {
    Jetson jetson = jetsons.lockForChange(caller, jetsonId, "device.revoke");
    Device device = findOrDeny(caller, jetsonId, deviceId, "device.revoke");
    if (device.revoked()) {
      return device;
    }
    devices.revoke(deviceId);
    jetsonRepository.bumpPeerVersion(jetsonId);
    revocations.record(
        RevocationLog.Kind.DEVICE, null, jetsonId, jetson.accountId(), jetson.username());
    auditLog.success(
        caller,
        "device.revoke",
        "jetson:" + jetsonId + "/device:" + deviceId,
        jetson.accountId(),
        Map.of("name", device.name(), "address", device.address()));
    return find(jetsonId, deviceId);
  }

  /** The device replaces its key; the old one is kept in the key history. */
  @Transactional
  DeviceDetail replaceKey(Caller caller, UUID jetsonId, UUID deviceId, String publicKey) {
    String key = PublicKeys.require("publicKey", publicKey);
    Jetson jetson = jetsons.lockForChange(caller, jetsonId, "device.key.replace");
    Device device = findOrDeny(caller, jetsonId, deviceId, "device.key.replace");
    if (device.revoked()) {
      throw ApiProblemException.conflict("This device is revoked; register a new one instead.");
    }
    if (!key.equals(device.publicKey())) {
      if (key.equals(jetson.publicKey()) || devices.activeKeyExists(jetsonId, key)) {
        throw ApiProblemException.conflict("This public key is already registered on this Jetson.");
      }
      devices.replaceKey(device, key);
      jetsonRepository.bumpPeerVersion(jetsonId);
      auditLog.success(
          caller,
          "device.key.replace",
          "jetson:" + jetsonId + "/device:" + deviceId,
          jetson.accountId(),
          Map.of("oldPublicKey", device.publicKey(), "newPublicKey", key));
    }
    return new DeviceDetail(find(jetsonId, deviceId), devices.keyHistory(deviceId));
  }

  /** The device of this Jetson; a device of another Jetson is a 404 too, audited as a denial. */
  private Device findOrDeny(Caller caller, UUID jetsonId, UUID deviceId, String action) {
    Optional<Device> device = devices.find(jetsonId, deviceId);
    if (device.isEmpty() && devices.existsAnywhere(deviceId)) {
      access.denyUnseen(caller, action, "jetson:" + jetsonId + "/device:" + deviceId);
    }
    return device.orElseThrow(() -> ApiProblemException.notFound("No such device on this Jetson."));
  }

  private Device find(UUID jetsonId, UUID deviceId) {
    return devices
        .find(jetsonId, deviceId)
        .orElseThrow(() -> ApiProblemException.notFound("No such device on this Jetson."));
  }
}
