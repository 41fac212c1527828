package dev.spoq.dns.record;

import dev.spoq.common.registry.DeviceTokenIntrospection;
import dev.spoq.dns.address.PublicAddressPolicy.Accepted;
import dev.spoq.dns.audit.DnsAudit;
import dev.spoq.dns.provider.ConfiguredProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * {@code POST /api/dns/update} after authentication: store the desired address first (own
 * transaction), then apply it to the provider outside any transaction. An unchanged address makes
 * no provider call.
 */
@Component
public class DnsUpdater {

  /** How the update ended, as the API reports it. */
  public enum Status {
    UPDATED,
    UNCHANGED,
    PENDING
  }

  /** The answer: status plus the record as it is now. */
  public record Outcome(Status status, DnsRecord record) {}

  private final DnsRecordService records;
  private final RecordApplier applier;
  private final ConfiguredProvider provider;
  private final DnsAudit audit;
  private final MeterRegistry meters;

  DnsUpdater(
      DnsRecordService records,
      RecordApplier applier,
      ConfiguredProvider provider,
      DnsAudit audit,
      MeterRegistry meters) {
    this.records = records;
    this.applier = applier;
    this.provider = provider;
    this.audit = audit;
    this.meters = meters;
  }

  public Outcome update(
      DeviceTokenIntrospection device,
      String fqdn,
      Accepted address,
      PublishPath path,
      String sourceIp) {
    // Fast path for the common case (nothing changed): a plain read, no row lock, no write.
    Optional<DnsRecord> current = records.find(device.subdomain(), address.type());
    if (current.isPresent()
        && current.get().state() != DnsRecord.State.REMOVING
        && current.get().desiredIp().equals(address.canonical())
        && current.get().path() == path) {
      Status status =
          current.get().state() == DnsRecord.State.APPLIED ? Status.UNCHANGED : Status.PENDING;
      count(status);
      return new Outcome(status, current.get());
    }
    DnsRecordService.Stored stored =
        records.storeDesired(
            device.subdomain(),
            fqdn,
            device.jetsonId(),
            device.accountId(),
            address,
            path,
            sourceIp);
    DnsRecord record = stored.record();
    if (!stored.changed()) {
      if (current.isPresent() && current.get().path() != record.path()) {
        audit.record(
            "jetson:" + device.jetsonId(),
            "dns.record.path-changed",
            fqdn,
            sourceIp,
            DnsAudit.SUCCESS,
            Map.of(
                "type", record.type().name(),
                "address", record.desiredIp(),
                "from", current.get().path().wire(),
                "to", record.path().wire()));
      }
      Status status = record.state() == DnsRecord.State.APPLIED ? Status.UNCHANGED : Status.PENDING;
      count(status);
      return new Outcome(status, record);
    }
    RecordApplier.Result result = applier.apply(record);
    Status status = result == RecordApplier.Result.APPLIED ? Status.UPDATED : Status.PENDING;
    DnsRecord now = records.find(record.subdomain(), record.type()).orElse(record);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("type", record.type().name());
    details.put("from", stored.previousIp() == null ? "(none)" : stored.previousIp());
    details.put("to", record.desiredIp());
    details.put("path", record.path().wire());
    details.put("state", status == Status.UPDATED ? "applied" : "pending");
    details.put("provider", provider.name());
    details.put("jetsonId", String.valueOf(device.jetsonId()));
    audit.record(
        "jetson:" + device.jetsonId(),
        "dns.record.updated",
        fqdn,
        sourceIp,
        DnsAudit.SUCCESS,
        details);
    count(status);
    return new Outcome(status, now);
  }

  private void count(Status status) {
    meters.counter("dns.updates", "status", status.name().toLowerCase()).increment();
  }
}
