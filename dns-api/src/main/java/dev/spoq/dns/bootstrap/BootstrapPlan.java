package dev.spoq.dns.bootstrap;

import dev.spoq.dns.address.IpLiterals;
import dev.spoq.dns.config.DnsProperties;
import dev.spoq.dns.provider.DnsProvider;
import dev.spoq.dns.provider.ProviderRecord;
import dev.spoq.dns.provider.RecordType;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The static records of the product's zone (seed, "DNS Configuration"): apex A to the web server,
 * {@code www} and {@code api} CNAMEs to the apex, {@code ssh} A to the jump host (never proxied:
 * SSH cannot pass Cloudflare's HTTP proxy), and the proxied wildcard {@code *} CNAME to the load
 * balancer. Jetson names override the wildcard with their own A records.
 */
public final class BootstrapPlan {

  /** TTL of unproxied static records. */
  static final int STATIC_TTL = 300;

  /** What the command will do to one record. */
  public enum Action {
    CREATE,
    UPDATE,
    UNCHANGED
  }

  /** One line of the plan. */
  public record Step(Action action, ProviderRecord wanted, List<ProviderRecord> current) {}

  private BootstrapPlan() {}

  /**
   * The records configuration asks for.
   *
   * @throws IllegalArgumentException naming the settings to fix
   */
  public static List<ProviderRecord> desired(DnsProperties.Bootstrap settings, String domain) {
    String zone = domain.toLowerCase(Locale.ROOT);
    List<String> problems = new ArrayList<>();
    String web = ipv4(settings.webAddress(), "spoq.dns.bootstrap.web-address", problems);
    String ssh = ipv4(settings.sshAddress(), "spoq.dns.bootstrap.ssh-address", problems);
    String lbAddress =
        settings.loadBalancerAddress() == null || settings.loadBalancerAddress().isBlank()
            ? null
            : ipv4(
                settings.loadBalancerAddress(),
                "spoq.dns.bootstrap.load-balancer-address",
                problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    String lb =
        settings.loadBalancer() == null || settings.loadBalancer().isBlank()
            ? "lb." + zone
            : settings.loadBalancer().trim();
    boolean proxy = settings.proxyWeb();
    List<ProviderRecord> records = new ArrayList<>();
    records.add(record(zone, RecordType.A, web, proxy));
    records.add(record("www." + zone, RecordType.CNAME, zone, proxy));
    records.add(record("api." + zone, RecordType.CNAME, zone, proxy));
    records.add(record("ssh." + zone, RecordType.A, ssh, false));
    if (lbAddress != null) {
      records.add(record(lb, RecordType.A, lbAddress, false));
    }
    records.add(record("*." + zone, RecordType.CNAME, lb, proxy));
    return records;
  }

  /** Compares each wanted record with what the provider serves now. */
  public static List<Step> plan(DnsProvider provider, List<ProviderRecord> wanted) {
    List<Step> steps = new ArrayList<>();
    for (ProviderRecord w : wanted) {
      ProviderRecord target = provider.supportsProxy() ? w : withoutProxy(w);
      List<ProviderRecord> current = provider.find(target.fqdn(), target.type());
      Action action;
      if (current.isEmpty()) {
        action = Action.CREATE;
      } else if (current.size() == 1 && target.sameAs(current.get(0))) {
        action = Action.UNCHANGED;
      } else {
        action = Action.UPDATE;
      }
      steps.add(new Step(action, target, current));
    }
    return steps;
  }

  private static ProviderRecord record(
      String fqdn, RecordType type, String content, boolean proxied) {
    return new ProviderRecord(fqdn, type, content, proxied ? 1 : STATIC_TTL, proxied);
  }

  private static ProviderRecord withoutProxy(ProviderRecord r) {
    return new ProviderRecord(r.fqdn(), r.type(), r.content(), STATIC_TTL, false);
  }

  private static String ipv4(String value, String setting, List<String> problems) {
    if (value == null || value.isBlank()) {
      problems.add(setting + " is not set");
      return null;
    }
    return IpLiterals.parse(value)
        .filter(a -> a instanceof Inet4Address)
        .map(IpLiterals::canonical)
        .orElseGet(
            () -> {
              problems.add(setting + " is not an IPv4 address");
              return null;
            });
  }
}
