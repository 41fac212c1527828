package dev.spoq.dns.provider.cloudflare;

import dev.spoq.dns.provider.DnsProvider;
import dev.spoq.dns.provider.ProviderException;
import dev.spoq.dns.provider.ProviderRecord;
import dev.spoq.dns.provider.RecordType;
import dev.spoq.dns.provider.cloudflare.CloudflareClient.DnsRecord;
import dev.spoq.dns.provider.cloudflare.CloudflareClient.RecordBody;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records through the Cloudflare API v4: the zone id is looked up by name once and cached; a
 * record is found by type and exact name and then PATCHed, and POSTed only when missing, so
 * Cloudflare's "an identical record already exists" (81058; 81057 is the older "record already
 * exists") only follows a concurrent or manual change, and is resolved by converging on the records
 * found. The record id is cached so a later change costs one PATCH. Every record written carries
 * the comment {@value #MANAGED_COMMENT}.
 */
public class CloudflareProvider implements DnsProvider {

  public static final String MANAGED_COMMENT = "managed-by: spoq dns-api";

  private static final Logger log = LoggerFactory.getLogger(CloudflareProvider.class);

  private final CloudflareClient client;
  private final String zoneName;
  private final AtomicReference<String> zoneId = new AtomicReference<>();
  private final Map<String, String> recordIds = new ConcurrentHashMap<>();

  public CloudflareProvider(CloudflareClient client, String zoneName) {
    this.client = client;
    this.zoneName = zoneName;
  }

  @Override
  public String name() {
    return "cloudflare";
  }

  @Override
  public boolean supportsProxy() {
    return true;
  }

  @Override
  public String zone() {
    return zoneName;
  }

  @Override
  public void upsert(ProviderRecord record) {
    String zone = zoneId();
    RecordBody body = body(record);
    String key = key(record.fqdn(), record.type());
    String cachedId = recordIds.get(key);
    if (cachedId != null) {
      try {
        client.patchRecord(zone, cachedId, body);
        return;
      } catch (CloudflareApiException e) {
        if (!isMissing(e) && !alreadyExists(e)) {
          throw e;
        }
        // Deleted by hand (81044), or another record of the name already holds the value (81058,
        // added by hand): look the name up and converge.
        recordIds.remove(key, cachedId);
        log.info(
            "Cloudflare record {} {} changed at the provider ({}); looking it up again",
            record.type(),
            record.fqdn(),
            e.getMessage());
      }
    }
    List<DnsRecord> existing = client.listRecords(zone, record.type().name(), record.fqdn());
    if (existing.isEmpty()) {
      try {
        DnsRecord created = client.createRecord(zone, body);
        recordIds.put(key, created.id());
        return;
      } catch (CloudflareApiException e) {
        if (!alreadyExists(e)) {
          throw e;
        }
        // Someone created it between our lookup and our POST: converge on what is there now.
        existing = client.listRecords(zone, record.type().name(), record.fqdn());
        if (existing.isEmpty()) {
          throw e;
        }
      }
    }
    converge(zone, key, record, body, existing);
  }

  /**
   * Keeps one record of the name: the one that already holds the value if any (else the first),
   * deletes the others first (a second value would make resolvers hand out a wrong address half the
   * time, and a PATCH to a value another record holds fails with 81058), then fixes TTL, proxied
   * and comment of the kept one if needed.
   */
  private void converge(
      String zone, String key, ProviderRecord record, RecordBody body, List<DnsRecord> existing) {
    DnsRecord keep =
        existing.stream()
            .filter(r -> record.content().equalsIgnoreCase(r.content()))
            .findFirst()
            .orElse(existing.get(0));
    for (DnsRecord other : existing) {
      if (other == keep) {
        continue;
      }
      log.warn(
          "deleting extra Cloudflare {} record for {} (content {})",
          other.type(),
          other.name(),
          other.content());
      try {
        client.deleteRecord(zone, other.id());
      } catch (CloudflareApiException e) {
        if (!isMissing(e)) {
          throw e;
        }
      }
    }
    if (!matches(keep, record)) {
      client.patchRecord(zone, keep.id(), body);
    }
    recordIds.put(key, keep.id());
  }

  @Override
  public List<ProviderRecord> find(String fqdn, RecordType type) {
    return client.listRecords(zoneId(), type.name(), fqdn).stream()
        .map(r -> new ProviderRecord(r.name(), type, r.content(), r.ttl(), r.proxied()))
        .toList();
  }

  @Override
  public void delete(String fqdn, RecordType type) {
    String zone = zoneId();
    recordIds.remove(key(fqdn, type));
    for (DnsRecord r : client.listRecords(zone, type.name(), fqdn)) {
      try {
        client.deleteRecord(zone, r.id());
      } catch (CloudflareApiException e) {
        if (!isMissing(e)) {
          throw e;
        }
      }
    }
  }

  /** Forgets cached ids (after a change made behind our back, or in tests). */
  public void forgetCachedIds() {
    zoneId.set(null);
    recordIds.clear();
  }

  private String zoneId() {
    String id = zoneId.get();
    if (id != null) {
      return id;
    }
    String found =
        client
            .findZoneId(zoneName)
            .orElseThrow(
                () ->
                    ProviderException.permanent(
                        "Cloudflare zone "
                            + zoneName
                            + " not found for this API token (check spoq.dns.cloudflare.zone-name"
                            + " and the token's zone permissions)"));
    zoneId.set(found);
    return found;
  }

  private static boolean alreadyExists(CloudflareApiException e) {
    return e.hasCode(CloudflareErrors.IDENTICAL_RECORD_EXISTS)
        || e.hasCode(CloudflareErrors.RECORD_ALREADY_EXISTS);
  }

  private static boolean isMissing(CloudflareApiException e) {
    return e.hasCode(CloudflareErrors.RECORD_NOT_FOUND) || e.httpStatus() == 404;
  }

  private static boolean matches(DnsRecord existing, ProviderRecord wanted) {
    ProviderRecord current =
        new ProviderRecord(
            existing.name(), wanted.type(), existing.content(), existing.ttl(), existing.proxied());
    return wanted.sameAs(current) && MANAGED_COMMENT.equals(existing.comment());
  }

  private static RecordBody body(ProviderRecord record) {
    return new RecordBody(
        record.type().name(),
        record.fqdn(),
        record.content(),
        record.proxied() ? 1 : record.ttl(),
        record.proxied(),
        MANAGED_COMMENT);
  }

  private static String key(String fqdn, RecordType type) {
    return type + " " + fqdn;
  }
}
