package dev.spoq.dns.record;

import dev.spoq.dns.address.PublicAddressPolicy.Accepted;
import dev.spoq.dns.provider.RecordType;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The database side of DNS records: short transactions, never a provider call inside one. */
@Service
public class DnsRecordService {

  /** Outcome of storing a desired value. */
  public record Stored(DnsRecord record, boolean changed, String previousIp) {}

  /** What a GET shows: the name's records and its recent history. */
  public record View(List<DnsRecord> records, List<HistoryEntry> history) {}

  private final DnsRecordRepository repository;
  private final Clock clock;

  DnsRecordService(DnsRecordRepository repository, Clock clock) {
    this.repository = repository;
    this.clock = clock;
  }

  /**
   * Stores the desired address first (nothing is lost if the provider is down afterwards). An
   * unchanged address changes nothing.
   */
  @Transactional
  public Stored storeDesired(
      String subdomain,
      String fqdn,
      UUID jetsonId,
      UUID accountId,
      Accepted address,
      PublishPath path,
      String sourceIp) {
    RecordType type = address.type();
    String ip = address.canonical();
    Instant now = clock.instant();
    Optional<DnsRecord> existing = repository.lockForUpdate(subdomain, type);
    if (existing.isEmpty()
        && repository.insertPending(subdomain, type, fqdn, jetsonId, accountId, ip, path, now)) {
      repository.addHistory(subdomain, type, ip, path, now, sourceIp);
      return new Stored(repository.lockForUpdate(subdomain, type).orElseThrow(), true, null);
    }
    DnsRecord current =
        existing.orElseGet(() -> repository.lockForUpdate(subdomain, type).orElseThrow());
    if (current.desiredIp().equals(ip) && current.state() != DnsRecord.State.REMOVING) {
      if (current.path() == path) {
        return new Stored(current, false, current.desiredIp());
      }
      repository.changePath(subdomain, type, path, now);
      repository.addHistory(subdomain, type, ip, path, now, sourceIp);
      return new Stored(repository.find(subdomain, type).orElseThrow(), false, current.desiredIp());
    }
    repository.changeDesired(subdomain, type, fqdn, jetsonId, accountId, ip, path, now);
    repository.addHistory(subdomain, type, ip, path, now, sourceIp);
    return new Stored(repository.find(subdomain, type).orElseThrow(), true, current.desiredIp());
  }

  @Transactional
  public boolean markApplied(DnsRecord record) {
    return repository.markApplied(
        record.subdomain(), record.type(), record.version(), clock.instant());
  }

  @Transactional
  public void markFailed(DnsRecord record, String error, Instant nextAttempt) {
    repository.markFailed(record.subdomain(), record.type(), record.version(), error, nextAttempt);
  }

  @Transactional
  public void postpone(DnsRecord record, Instant nextAttempt) {
    repository.postpone(record.subdomain(), record.type(), record.version(), nextAttempt);
  }

  @Transactional
  public List<DnsRecord> claimDue(Instant leaseUntil, int limit) {
    return repository.claimDue(clock.instant(), leaseUntil, limit);
  }

  /** Marks a revoked Jetson's records for removal; returns those this call marked. */
  @Transactional
  public List<DnsRecord> markRemoving(UUID jetsonId) {
    return repository.markRemoving(jetsonId, clock.instant());
  }

  @Transactional
  public boolean finishRemoval(DnsRecord record) {
    return repository.deleteRemoved(record.subdomain(), record.type(), record.version());
  }

  @Transactional(readOnly = true)
  public List<DnsRecord> leastRecentlyVerified(int limit) {
    return repository.leastRecentlyVerified(limit);
  }

  @Transactional
  public void markVerified(DnsRecord record) {
    repository.markVerified(record.subdomain(), record.type(), record.version(), clock.instant());
  }

  @Transactional(readOnly = true)
  public Optional<DnsRecord> find(String subdomain, RecordType type) {
    return repository.find(subdomain, type);
  }

  @Transactional(readOnly = true)
  public View view(String subdomain, int historyLimit) {
    return new View(
        repository.findBySubdomain(subdomain), repository.history(subdomain, historyLimit));
  }

  /** The account owning the name's records, if any were stored. */
  @Transactional(readOnly = true)
  public Optional<UUID> ownerOf(String subdomain) {
    return repository.findBySubdomain(subdomain).stream().findFirst().map(DnsRecord::accountId);
  }

  @Transactional(readOnly = true)
  public long countPending() {
    return repository.countPending();
  }
}
