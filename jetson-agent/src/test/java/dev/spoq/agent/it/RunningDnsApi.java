package dev.spoq.agent.it;

import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.testing.CloudflareStub;
import dev.spoq.registry.testing.RunningRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The REAL dns-api, in-process, on its own PostgreSQL database, checking device tokens against the
 * real registry, writing to the dns-api module's Cloudflare v4 stub (Cloudflare is the only
 * third-party SaaS here, so it is the only stub).
 */
final class RunningDnsApi implements AutoCloseable {

  static final String CF_TOKEN = "cf-agent-test";

  final CloudflareStub cloudflare;
  private final ConfigurableApplicationContext context;

  RunningDnsApi(RunningRegistry registry) {
    cloudflare = new CloudflareStub("spoq.dev", CF_TOKEN);
    Map<String, String> props = new LinkedHashMap<>();
    props.put("spoq.dns.provider", "cloudflare");
    props.put("spoq.dns.cloudflare.base-url", cloudflare.baseUrl());
    props.put("spoq.dns.cloudflare.api-token", CF_TOKEN);
    props.put("spoq.dns.cloudflare.zone-name", "spoq.dev");
    context = EmbeddedService.start(DnsApiApplication.class, "dns-api", registry, props);
  }

  int port() {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  @Override
  public void close() {
    context.close();
    cloudflare.close();
  }
}
