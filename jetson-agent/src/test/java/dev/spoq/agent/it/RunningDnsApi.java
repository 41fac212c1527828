package dev.spoq.agent.it;

import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.testing.CloudflareStub;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
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
    TestPostgres.Database db = TestPostgres.newDatabase("dns_agent");
    Map<String, String> props = new LinkedHashMap<>();
    props.put("spring.config.name", "dns-api");
    props.put("server.port", "0");
    props.put("server.address", "127.0.0.1");
    props.put("spring.datasource.url", db.jdbcUrl());
    props.put("spring.datasource.username", db.username());
    props.put("spring.datasource.password", db.password());
    props.put("logging.structured.format.console", "");
    props.put("spoq.registry.base-url", registry.baseUrl());
    props.put("spoq.registry.service-token", registry.serviceToken("dns-api"));
    props.put("spoq.dns.provider", "cloudflare");
    props.put("spoq.dns.cloudflare.base-url", cloudflare.baseUrl());
    props.put("spoq.dns.cloudflare.api-token", CF_TOKEN);
    props.put("spoq.dns.cloudflare.zone-name", "spoq.dev");
    String[] args =
        props.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    context =
        new SpringApplicationBuilder(DnsApiApplication.class)
            .properties("spring.config.name=dns-api")
            .run(args);
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
