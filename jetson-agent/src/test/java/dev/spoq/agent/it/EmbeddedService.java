package dev.spoq.agent.it;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts one of our control-plane services for real, in this JVM, on a free loopback port and a
 * fresh PostgreSQL database, with the registry's service credential for it.
 */
final class EmbeddedService {

  private EmbeddedService() {}

  static ConfigurableApplicationContext start(
      Class<?> application,
      String serviceName,
      RunningRegistry registry,
      Map<String, String> extra) {
    TestPostgres.Database db = TestPostgres.newDatabase(serviceName.replace('-', '_') + "_agent");
    Map<String, String> props = new LinkedHashMap<>();
    props.put("spring.config.name", serviceName);
    props.put("server.port", "0");
    props.put("server.address", "127.0.0.1");
    props.put("spring.datasource.url", db.jdbcUrl());
    props.put("spring.datasource.username", db.username());
    props.put("spring.datasource.password", db.password());
    props.put("logging.structured.format.console", "");
    props.put("spoq.registry.base-url", registry.baseUrl());
    props.put("spoq.registry.service-token", registry.serviceToken(serviceName));
    props.putAll(extra);
    String[] args =
        props.entrySet().stream()
            .map(e -> "--" + e.getKey() + "=" + e.getValue())
            .toArray(String[]::new);
    return new SpringApplicationBuilder(application)
        .properties("spring.config.name=" + serviceName)
        .run(args);
  }
}
