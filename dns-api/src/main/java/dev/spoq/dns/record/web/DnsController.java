package dev.spoq.dns.record.web;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.registry.DeviceTokenIntrospection;
import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.dns.address.ClientAddressResolver;
import dev.spoq.dns.address.PublicAddressPolicy;
import dev.spoq.dns.audit.DenialAudit;
import dev.spoq.dns.provider.ConfiguredProvider;
import dev.spoq.dns.record.DnsRecord;
import dev.spoq.dns.record.DnsRecordService;
import dev.spoq.dns.record.DnsUpdater;
import dev.spoq.dns.record.PublishPath;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The public DNS API: a Jetson publishes its address; its owner reads where the name points. */
@RestController
@RequestMapping("/api/dns")
class DnsController {

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final int HISTORY = 10;

  private final RegistryClient registry;
  private final DnsUpdater updater;
  private final DnsRecordService records;
  private final PublicAddressPolicy addressPolicy;
  private final ClientAddressResolver clientAddress;
  private final DnsRateLimits limits;
  private final DenialAudit denials;
  private final ConfiguredProvider provider;
  private final String domain;

  DnsController(
      RegistryClient registry,
      DnsUpdater updater,
      DnsRecordService records,
      PublicAddressPolicy addressPolicy,
      ClientAddressResolver clientAddress,
      DnsRateLimits limits,
      DenialAudit denials,
      ConfiguredProvider provider,
      @Value("${spoq.domain:spoq.dev}") String domain) {
    this.registry = registry;
    this.updater = updater;
    this.records = records;
    this.addressPolicy = addressPolicy;
    this.clientAddress = clientAddress;
    this.limits = limits;
    this.denials = denials;
    this.provider = provider;
    this.domain = domain.toLowerCase(Locale.ROOT);
  }

  @PostMapping(value = "/update", produces = MediaType.APPLICATION_JSON_VALUE)
  @Accepts(
      value = Caller.Kind.DEVICE,
      detail = "A valid device token is required (Authorization: Bearer spoq_dev_...).")
  ResponseEntity<DnsUpdateResponse> update(
      @RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller.Device caller,
      @Valid @RequestBody DnsUpdateRequest body,
      HttpServletRequest request) {
    DeviceTokenIntrospection device = caller.token();
    String sourceIp = caller.sourceIp();
    limits.checkDevice(device.jetsonId());
    String label = label(body.subdomain());
    String fqdn = label + "." + domain;
    if (!label.equals(device.subdomain())) {
      denials.deny(
          "dns.record.update-denied",
          caller.actor(),
          fqdn,
          sourceIp,
          "device token belongs to another subdomain");
      throw ApiProblemException.forbidden("This device token does not belong to " + fqdn + ".");
    }
    PublicAddressPolicy.Result checked =
        body.ip() == null
            ? addressPolicy.check(clientAddress(request))
            : addressPolicy.check(body.ip());
    if (!checked.isAccepted()) {
      String why =
          body.ip() == null
              ? "No ip was given and the caller's address was refused: " + checked.refusal()
              : checked.refusal();
      throw ApiProblemException.invalid(why + ".");
    }
    PublishPath path = PublishPath.fromWire(body.path());
    DnsUpdater.Outcome outcome = updater.update(device, fqdn, checked.accepted(), path, sourceIp);
    DnsRecord r = outcome.record();
    DnsUpdateResponse answer =
        new DnsUpdateResponse(
            outcome.status().name().toLowerCase(Locale.ROOT),
            fqdn,
            r.type().name(),
            r.desiredIp(),
            r.path().wire(),
            text(r.lastUpdate()));
    return outcome.status() == DnsUpdater.Status.PENDING
        ? ResponseEntity.accepted().body(answer)
        : ResponseEntity.ok(answer);
  }

  @GetMapping(value = "/{subdomain}", produces = MediaType.APPLICATION_JSON_VALUE)
  @Accepts(
      value = {Caller.Kind.DEVICE, Caller.Kind.API_KEY},
      detail = "A device token or API key is required (Authorization: Bearer ...).")
  DnsStatusResponse status(
      @RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller caller, @PathVariable String subdomain) {
    String label = label(subdomain);
    String fqdn = label + "." + domain;
    authorizeRead(caller, label, fqdn);
    DnsRecordService.View view = records.view(label, HISTORY);
    if (view.records().isEmpty()) {
      throw notPublished(fqdn);
    }
    DnsRecord latest = view.records().get(0);
    List<DnsStatusResponse.RecordView> all =
        view.records().stream()
            .map(
                r ->
                    new DnsStatusResponse.RecordView(
                        r.type().name(),
                        r.desiredIp(),
                        r.path().wire(),
                        text(r.lastUpdate()),
                        state(r),
                        text(r.lastAppliedAt()),
                        r.state() == DnsRecord.State.PENDING ? r.lastError() : null,
                        r.state() == DnsRecord.State.PENDING && provider.get().isPresent()
                            ? text(r.nextAttemptAt())
                            : null))
            .toList();
    List<DnsStatusResponse.HistoryView> history =
        view.history().stream()
            .map(
                h ->
                    new DnsStatusResponse.HistoryView(
                        h.type().name(), h.ip(), h.path().wire(), text(h.changedAt())))
            .toList();
    return new DnsStatusResponse(
        fqdn,
        latest.desiredIp(),
        latest.path().wire(),
        text(latest.lastUpdate()),
        state(latest),
        latest.type().name(),
        provider.name(),
        text(latest.lastAppliedAt()),
        latest.state() == DnsRecord.State.PENDING ? pendingReason(latest) : null,
        all,
        history);
  }

  /**
   * The Jetson's own token, an account key of the owning account, or an admin key. Anyone else gets
   * the same 404 as for a name that does not exist, so names cannot be probed.
   */
  private void authorizeRead(Caller caller, String label, String fqdn) {
    boolean allowed;
    if (caller instanceof Caller.Device d) {
      allowed = label.equals(d.token().subdomain());
    } else if (caller instanceof Caller.ApiKey k) {
      allowed = k.key().isAdmin() || ownedBy(label, k.key().accountId());
    } else {
      allowed = false;
    }
    if (!allowed) {
      denials.deny(
          "dns.record.read-denied", caller.actor(), fqdn, caller.sourceIp(), "not the owner");
      throw notPublished(fqdn);
    }
  }

  private boolean ownedBy(String label, UUID accountId) {
    if (accountId == null) {
      return false;
    }
    Optional<UUID> owner =
        records
            .ownerOf(label)
            .or(() -> registry.jetsonBySubdomain(label).map(JetsonSummary::accountId));
    return owner.isPresent() && owner.get().equals(accountId);
  }

  private ApiProblemException notPublished(String fqdn) {
    return ApiProblemException.notFound("No DNS record has been published for " + fqdn + " yet.");
  }

  private String pendingReason(DnsRecord r) {
    if (provider.get().isEmpty()) {
      return "no DNS provider is configured (spoq.dns.provider=none)";
    }
    return r.lastError();
  }

  private InetAddress clientAddress(HttpServletRequest request) {
    return clientAddress
        .resolve(request)
        .orElseThrow(() -> ApiProblemException.invalid("The caller's address cannot be read."));
  }

  private String label(String subdomain) {
    String s = subdomain.trim().toLowerCase(Locale.ROOT);
    if (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith("." + domain)) {
      s = s.substring(0, s.length() - domain.length() - 1);
    }
    if (!LABEL.matcher(s).matches()) {
      throw ApiProblemException.invalid(
          "subdomain must be one DNS label of " + domain + " (for example alice).");
    }
    return s;
  }

  private static String state(DnsRecord r) {
    return r.state().name().toLowerCase(Locale.ROOT);
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
