package dev.spoq.dns.record.web;

import dev.spoq.common.problem.ApiProblemException;
import dev.spoq.dns.audit.DenialAudit;
import dev.spoq.dns.record.DnsRecord;
import dev.spoq.dns.record.DnsRecordService;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Contract C6: what dns-api has published for a name, for the relay-coordinator's connect answer
 * (it offers {@code direct} only at an address that DNS really serves).
 */
@RestController
@RequestMapping("/internal/v1/dns")
class InternalDnsController {

  /** Services allowed to read; any other service token is refused (403, audited). */
  static final Set<String> READERS = Set.of("relay-coordinator");

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  /** The C6 body. {@code publishedAddress} is the value applied at the provider, or null. */
  record PublishedRecord(
      String subdomain,
      String fqdn,
      String publishedAddress,
      String path,
      String state,
      String lastUpdate) {}

  private final DnsRecordService records;
  private final DenialAudit denials;
  private final String domain;

  InternalDnsController(
      DnsRecordService records,
      DenialAudit denials,
      @Value("${spoq.domain:spoq.dev}") String domain) {
    this.records = records;
    this.denials = denials;
    this.domain = domain.toLowerCase(Locale.ROOT);
  }

  @GetMapping(value = "/{subdomain}", produces = MediaType.APPLICATION_JSON_VALUE)
  @Accepts(value = Caller.Kind.SERVICE, detail = "A service token is required.")
  PublishedRecord published(
      @RequestAttribute(Caller.REQUEST_ATTRIBUTE) Caller.Service caller,
      @PathVariable String subdomain) {
    if (!READERS.contains(caller.service())) {
      denials.deny(
          "dns.internal.read-denied",
          caller.actor(),
          "/internal/v1/dns",
          caller.sourceIp(),
          "service not allowed to read published records");
      throw ApiProblemException.forbidden("This service may not read published DNS records.");
    }
    String label = subdomain.toLowerCase(Locale.ROOT);
    if (!LABEL.matcher(label).matches()) {
      throw ApiProblemException.invalid("subdomain must be one DNS label (for example alice).");
    }
    List<DnsRecord> stored = records.view(label, 0).records();
    if (stored.isEmpty()) {
      throw ApiProblemException.notFound("No DNS record is known for this subdomain.");
    }
    DnsRecord latest = stored.get(0);
    return new PublishedRecord(
        label,
        latest.fqdn(),
        latest.appliedIp(),
        (latest.appliedPath() != null ? latest.appliedPath() : latest.path()).wire(),
        latest.state().name().toLowerCase(Locale.ROOT),
        latest.lastUpdate().toString());
  }
}
