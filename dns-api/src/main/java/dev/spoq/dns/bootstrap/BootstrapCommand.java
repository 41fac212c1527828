package dev.spoq.dns.bootstrap;

import dev.spoq.dns.config.DnsProperties;
import dev.spoq.dns.config.ProviderFactory;
import dev.spoq.dns.provider.ConfiguredProvider;
import dev.spoq.dns.provider.DnsProvider;
import dev.spoq.dns.provider.ProviderException;
import dev.spoq.dns.provider.ProviderRecord;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * {@code java -jar dns-api-exec.jar bootstrap [--dry-run]}: ensures the zone's static records.
 * Idempotent: prints the plan first, then changes only what differs.
 */
public final class BootstrapCommand {

  public static final String USAGE =
      """
      Usage: java -jar dns-api-exec.jar bootstrap [--dry-run] [--help] [--<setting>=<value>...]

      Ensures the static records of the zone at the configured provider, idempotently:
        <domain>        A      spoq.dns.bootstrap.web-address    (proxied when proxy-web)
        www.<domain>    CNAME  <domain>                          (proxied when proxy-web)
        api.<domain>    CNAME  <domain>                          (proxied when proxy-web)
        ssh.<domain>    A      spoq.dns.bootstrap.ssh-address    (never proxied)
        lb.<domain>     A      spoq.dns.bootstrap.load-balancer-address (only when set)
        *.<domain>      CNAME  spoq.dns.bootstrap.load-balancer (default lb.<domain>, proxied)
      The plan (CREATE / UPDATE / UNCHANGED per record) is printed first.

      Options:
        --dry-run   print the plan and change nothing
        --help      this text

      Settings come from dns-api.yml, environment variables (SPOQ_DNS_PROVIDER,
      SPOQ_DNS_CLOUDFLARE_APITOKEN, SPOQ_DNS_BOOTSTRAP_WEBADDRESS, ...) or --setting=value
      arguments, e.g. --spoq.dns.provider=cloudflare --spoq.dns.bootstrap.web-address=203.0.113.10

      Exit status: 0 done (or nothing to do), 1 provider or configuration error, 2 usage error.
      """;

  /** Changes made by the command are audit events in the log (the command needs no registry). */
  private static final Logger AUDIT = LoggerFactory.getLogger("dns.audit");

  private BootstrapCommand() {}

  /** Runs the command; returns the process exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    boolean dryRun = false;
    List<String> springArgs = new ArrayList<>();
    for (String arg : args) {
      switch (arg) {
        case "--help", "-h" -> {
          out.print(USAGE);
          return 0;
        }
        case "--dry-run", "-n" -> dryRun = true;
        default -> {
          if (!arg.startsWith("--") || !arg.contains("=")) {
            err.println("bootstrap: unknown argument '" + arg + "' (see --help)");
            return 2;
          }
          springArgs.add(arg);
        }
      }
    }
    if (springArgs.stream().noneMatch(a -> a.startsWith("--logging.level.root="))) {
      springArgs.add("--logging.level.root=WARN");
    }
    if (springArgs.stream().noneMatch(a -> a.startsWith("--logging.structured.format.console="))) {
      // A command talks to a person: plain log lines, not the service's JSON.
      springArgs.add("--logging.structured.format.console=");
    }
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(BootstrapContext.class)
            .web(WebApplicationType.NONE)
            .bannerMode(Banner.Mode.OFF)
            .logStartupInfo(false)
            .properties("spring.config.name=dns-api")
            .run(springArgs.toArray(String[]::new))) {
      DnsProperties properties = context.getBean(DnsProperties.class);
      String domain = context.getEnvironment().getProperty("spoq.domain", "spoq.dev");
      return execute(properties, domain, dryRun, out, err);
    } catch (RuntimeException e) {
      err.println("bootstrap: " + rootMessage(e));
      return 1;
    }
  }

  static int execute(
      DnsProperties properties, String domain, boolean dryRun, PrintStream out, PrintStream err) {
    ConfiguredProvider configured = ProviderFactory.create(properties, domain, Clock.systemUTC());
    if (configured.get().isEmpty()) {
      err.println(
          "bootstrap: no DNS provider is configured (spoq.dns.provider=none); set it to"
              + " cloudflare or rfc2136");
      return 1;
    }
    DnsProvider provider = configured.get().get();
    List<ProviderRecord> wanted;
    try {
      wanted = BootstrapPlan.desired(properties.bootstrap(), provider.zone());
    } catch (IllegalArgumentException e) {
      err.println("bootstrap: " + e.getMessage());
      return 1;
    }
    try {
      List<BootstrapPlan.Step> steps = BootstrapPlan.plan(provider, wanted);
      out.printf(
          "Bootstrap plan for zone %s at %s%s:%n",
          provider.zone(), provider.name(), dryRun ? " (dry run: nothing will be changed)" : "");
      for (BootstrapPlan.Step step : steps) {
        out.println("  " + describe(step));
      }
      long changes =
          steps.stream().filter(s -> s.action() != BootstrapPlan.Action.UNCHANGED).count();
      if (dryRun) {
        out.printf("%d change(s) would be made.%n", changes);
        return 0;
      }
      List<String> ignored = new ArrayList<>();
      for (BootstrapPlan.Step step : steps) {
        if (step.action() != BootstrapPlan.Action.UNCHANGED) {
          provider.upsert(step.wanted());
          // Read back: a server may accept an update and silently ignore it (RFC 2136 3.4.2.2, a
          // CNAME next to other data).
          List<ProviderRecord> now = provider.find(step.wanted().fqdn(), step.wanted().type());
          if (now.size() != 1 || !step.wanted().sameAs(now.get(0))) {
            String problem =
                step.wanted().fqdn()
                    + " "
                    + step.wanted().type()
                    + " "
                    + step.wanted().content()
                    + ": the server accepted the change but serves "
                    + (now.isEmpty()
                        ? "nothing"
                        : now.stream().map(ProviderRecord::content).toList().toString())
                    + " (ignored; for a CNAME, remove the other records of that name)";
            out.println("  IGNORED by the server: " + problem);
            ignored.add(problem);
            continue;
          }
          out.printf("  done: %s %s%n", step.wanted().fqdn(), step.wanted().type());
          AUDIT
              .atWarn()
              .addKeyValue("audit.actor", "command:bootstrap")
              .addKeyValue(
                  "audit.action", "dns.static-record." + step.action().name().toLowerCase())
              .addKeyValue("audit.target", step.wanted().fqdn())
              .addKeyValue("audit.outcome", "SUCCESS")
              .addKeyValue("audit.type", step.wanted().type().name())
              .addKeyValue("audit.content", step.wanted().content())
              .addKeyValue("audit.provider", provider.name())
              .log(
                  "audit static record {} {} {} -> {}",
                  step.action(),
                  step.wanted().fqdn(),
                  step.wanted().type(),
                  step.wanted().content());
        }
      }
      if (!ignored.isEmpty()) {
        err.printf(
            "bootstrap: %d change(s) were ignored by the server:%n  %s%n",
            ignored.size(), String.join("\n  ", ignored));
        return 1;
      }
      out.printf("%d change(s) made.%n", changes);
      return 0;
    } catch (ProviderException e) {
      err.println("bootstrap: " + e.getMessage());
      return 1;
    }
  }

  private static String describe(BootstrapPlan.Step step) {
    ProviderRecord w = step.wanted();
    String line =
        String.format(
            "%-9s %-24s %-5s %-20s %s",
            step.action(),
            w.fqdn(),
            w.type(),
            w.content(),
            w.proxied() ? "proxied" : "ttl " + w.ttl());
    if (step.action() == BootstrapPlan.Action.UPDATE) {
      line +=
          "  (now: "
              + step.current().stream()
                  .map(c -> c.content() + (c.proxied() ? " proxied" : " ttl " + c.ttl()))
                  .collect(Collectors.joining(", "))
              + ")";
    }
    return line;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  /** Just the settings: no web server, no database. */
  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(DnsProperties.class)
  static class BootstrapContext {}
}
