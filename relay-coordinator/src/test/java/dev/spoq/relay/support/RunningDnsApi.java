package dev.spoq.relay.support;

import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.testing.ApiClient;
import dev.spoq.dns.testing.CloudflareStub;
import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real dns-api (its Spring application, in this JVM) on its own PostgreSQL database,
 * authenticating against the shared real registry and publishing to dns-api's Cloudflare API stub,
 * the one external service tests may stub. The coordinator reads it through contract C6 with {@link
 * #COORDINATOR_TOKEN}. Started on first use, stopped when the JVM exits.
 */
public final class RunningDnsApi {

  public static final String COORDINATOR_TOKEN = "svc-coordinator-" + System.nanoTime();
  private static final String CLOUDFLARE_TOKEN = "cf-" + Long.toHexString(System.nanoTime());
  private static volatile RunningDnsApi instance;

  private final ConfigurableApplicationContext context;
  private final CloudflareStub cloudflare;
  private final String baseUrl;

  private RunningDnsApi(ConfigurableApplicationContext context, CloudflareStub cloudflare) {
    this.context = context;
    this.cloudflare = cloudflare;
    this.baseUrl = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
  }

  public static RunningDnsApi get() {
    RunningDnsApi d = instance;
    if (d == null) {
      synchronized (RunningDnsApi.class) {
        d = instance;
        if (d == null) {
          d = start(SharedRegistry.get());
          instance = d;
          RunningDnsApi started = d;
          Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
      }
    }
    return d;
  }

  private static RunningDnsApi start(RunningRegistry registry) {
    CloudflareStub cloudflare = new CloudflareStub("spoq.dev", CLOUDFLARE_TOKEN);
    TestPostgres.Database db = TestPostgres.newDatabase("dns_api");
    Map<String, Object> props = new LinkedHashMap<>();
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
    props.put("spoq.dns.cloudflare.api-token", CLOUDFLARE_TOKEN);
    props.put("spoq.dns.trusted-proxies", "127.0.0.1/32,::1/128");
    props.put("spoq.dns.reconcile.drift-interval", "1h");
    props.put("spoq.dns.service-tokens.relay-coordinator", COORDINATOR_TOKEN);
    String[] args =
        props.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(DnsApiApplication.class)
            .properties("spring.config.name=dns-api")
            .run(args);
    return new RunningDnsApi(context, cloudflare);
  }

  public String baseUrl() {
    return baseUrl;
  }

  /**
   * The agent's publish ({@code POST /api/dns/update} with its device token), as seen from a fresh
   * public source address; answers dns-api's status code.
   */
  public int publish(String deviceToken, String subdomain, String ip, String path) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String source = "81." + r.nextInt(1, 255) + "." + r.nextInt(0, 255) + "." + r.nextInt(1, 255);
    String body =
        "{\"subdomain\":\""
            + subdomain
            + "\",\"ip\":\""
            + ip
            + "\""
            + (path == null ? "" : ",\"path\":\"" + path + "\"")
            + "}";
    return new ApiClient(baseUrl).update(deviceToken, body, source).status();
  }

  public void close() {
    context.close();
    cloudflare.close();
  }
}
