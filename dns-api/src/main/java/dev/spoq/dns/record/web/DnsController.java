package dev.spoq.dns.record.web;

import dev.spoq.common.auth.BearerToken;
import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.common.registry.ApiKeyIntrospection;
import dev.spoq.common.registry.CachingRegistryAuthenticator;
import dev.spoq.common.registry.DeviceTokenIntrospection;
import dev.spoq.common.registry.JetsonSummary;
import dev.spoq.common.registry.RegistryClient;
import dev.spoq.dns.address.ClientAddressResolver;
import dev.spoq.dns.address.IpLiterals;
import dev.spoq.dns.address.PublicAddressPolicy;
import dev.spoq.dns.audit.DnsAudit;
import dev.spoq.dns.provider.ConfiguredProvider;
import dev.spoq.dns.record.DnsRecord;
import dev.spoq.dns.record.DnsRecordService;
import dev.spoq.dns.record.DnsUpdater;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The public DNS API: a Jetson publishes its address; its owner reads where the name points. */
@RestController
@RequestMapping("/api/dns")
class DnsController {

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final String DEVICE_TOKEN_PREFIX = "spoq_dev_";
  private static final int HISTORY = 10;

  private final CachingRegistryAuthenticator authenticator;
  private final RegistryClient registry;
  private final DnsUpdater updater;
  private final DnsRecordService records;
  private final PublicAddressPolicy addressPolicy;
  private final ClientAddressResolver clientAddress;
  private final DnsRateLimits limits;
  private final DnsAudit audit;
  private final ConfiguredProvider provider;
  private final String domain;

  DnsController(
      CachingRegistryAuthenticator authenticator,
      RegistryClient registry,
      DnsUpdater updater,
      DnsRecordService records,
      PublicAddressPolicy addressPolicy,
      ClientAddressResolver clientAddress,
      DnsRateLimits limits,
      DnsAudit audit,
      ConfiguredProvider provider,
      @Value("${spoq.domain:spoq.dev}") String domain) {
    this.authenticator = authenticator;
    this.registry = registry;
    this.updater = updater;
    this.records = records;
    this.addressPolicy = addressPolicy;
    this.clientAddress = clientAddress;
    this.limits = limits;
    this.audit = audit;
    this.provider = provider;
    this.domain = domain.toLowerCase(Locale.ROOT);
  }

  @PostMapping(
      value = "/update",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<DnsUpdateResponse> update(
      @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
      @Valid @RequestBody DnsUpdateRequest body,
      HttpServletRequest request) {
    InetAddress caller = caller(request);
    String sourceIp = IpLiterals.canonical(caller);
    limits.checkSourceIp(sourceIp);
    DeviceTokenIntrospection device =
        BearerToken.parse(authorization)
            .flatMap(authenticator::device)
            .orElseThrow(
                () ->
                    ApiProblemException.unauthorized(
                        "A valid device token is required (Authorization: Bearer spoq_dev_...)."));
    limits.checkDevice(device.jetsonId());
    String label = label(body.subdomain());
    String fqdn = label + "." + domain;
    if (!label.equals(device.subdomain())) {
      audit.record(
          "jetson:" + device.jetsonId(),
          "dns.record.update-denied",
          fqdn,
          sourceIp,
          DnsAudit.DENIED,
          Map.of("reason", "device token belongs to another subdomain"));
      throw ApiProblemException.forbidden("This device token does not belong to " + fqdn + ".");
    }
    PublicAddressPolicy.Result checked =
        body.ip() == null ? addressPolicy.check(caller) : addressPolicy.check(body.ip());
    if (!checked.isAccepted()) {
      String why =
          body.ip() == null
              ? "No ip was given and the caller's address was refused: " + checked.refusal()
              : checked.refusal();
      throw ApiProblemException.invalid(why + ".");
    }
    DnsUpdater.Outcome outcome = updater.update(device, fqdn, checked.accepted(), sourceIp);
    DnsRecord r = outcome.record();
    DnsUpdateResponse answer =
        new DnsUpdateResponse(
            outcome.status().name().toLowerCase(Locale.ROOT),
            fqdn,
            r.type().name(),
            r.desiredIp(),
            text(r.lastUpdate()));
    return outcome.status() == DnsUpdater.Status.PENDING
        ? ResponseEntity.accepted().body(answer)
        : ResponseEntity.ok(answer);
  }

  @GetMapping(value = "/{subdomain}", produces = MediaType.APPLICATION_JSON_VALUE)
  DnsStatusResponse status(
      @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
      @PathVariable String subdomain,
      HttpServletRequest request) {
    limits.checkSourceIp(IpLiterals.canonical(caller(request)));
    String label = label(subdomain);
    String fqdn = label + "." + domain;
    String credential =
        BearerToken.parse(authorization)
            .orElseThrow(
                () ->
                    ApiProblemException.unauthorized(
                        "A device token or API key is required (Authorization: Bearer ...)."));
    authorizeRead(credential, label, fqdn);
    DnsRecordService.View view = records.view(label, HISTORY);
    if (view.records().isEmpty()) {
      throw ApiProblemException.notFound("No DNS record has been published for " + fqdn + " yet.");
    }
    DnsRecord latest = view.records().get(0);
    List<DnsStatusResponse.RecordView> all =
        view.records().stream()
            .map(
                r ->
                    new DnsStatusResponse.RecordView(
                        r.type().name(),
                        r.desiredIp(),
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
                    new DnsStatusResponse.HistoryView(h.type().name(), h.ip(), text(h.changedAt())))
            .toList();
    return new DnsStatusResponse(
        fqdn,
        latest.desiredIp(),
        text(latest.lastUpdate()),
        state(latest),
        latest.type().name(),
        provider.name(),
        text(latest.lastAppliedAt()),
        latest.state() == DnsRecord.State.PENDING ? pendingReason(latest) : null,
        all,
        history);
  }

  /** The Jetson's own token, an account key of the owning account, or an admin key. */
  private void authorizeRead(String credential, String label, String fqdn) {
    if (credential.startsWith(DEVICE_TOKEN_PREFIX)) {
      DeviceTokenIntrospection device =
          authenticator
              .device(credential)
              .orElseThrow(
                  () -> ApiProblemException.unauthorized("The device token is not valid."));
      if (!label.equals(device.subdomain())) {
        throw ApiProblemException.forbidden("This device token does not belong to " + fqdn + ".");
      }
      return;
    }
    ApiKeyIntrospection key =
        authenticator
            .apiKey(credential)
            .orElseThrow(
                () ->
                    ApiProblemException.unauthorized("The device token or API key is not valid."));
    if (key.isAdmin()) {
      return;
    }
    Optional<UUID> owner =
        records
            .ownerOf(label)
            .or(() -> registry.jetsonBySubdomain(label).map(JetsonSummary::accountId));
    if (owner.isEmpty()) {
      throw ApiProblemException.notFound("No DNS record has been published for " + fqdn + " yet.");
    }
    if (key.accountId() == null || !key.accountId().equals(owner.get())) {
      throw ApiProblemException.forbidden("This API key may not read " + fqdn + ".");
    }
  }

  private String pendingReason(DnsRecord r) {
    if (provider.get().isEmpty()) {
      return "no DNS provider is configured (spoq.dns.provider=none)";
    }
    return r.lastError();
  }

  private InetAddress caller(HttpServletRequest request) {
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
    return r.state() == DnsRecord.State.APPLIED ? "applied" : "pending";
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
