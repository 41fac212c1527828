package dev.spoq.relayserver;

import java.util.Arrays;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The relay keeps no database: JDBC/Flyway auto-configuration stays off. */
@SpringBootApplication(
    excludeName = {
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
      "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
    })
public class RelayServerApplication {

  static final String HELP =
      """
      relay-server: WireGuard-aware UDP relay for Spoq Jetsons (clients on 51820, agents on 51821).

      Usage: java -jar relay-server-exec.jar [--property=value ...]
      Environment variables work too (SPOQ_RELAY_COORDINATOR_URL, SPOQ_RELAY_CLIENTPORT, ...).

        --spoq.relay.coordinator.url=URL        relay-coordinator, e.g. http://coordinator:8083
        --spoq.relay.coordinator.relay-id=ID    this relay's id at the coordinator
        --spoq.relay.coordinator.token=TOKEN    this relay's token (spoq_rls_...)
        --spoq.relay.jetsons-file=FILE          static Jetson set instead of the coordinator
        --spoq.relay.bind-address=ADDR          (default 0.0.0.0)
        --spoq.relay.client-port=PORT           WireGuard clients (default 51820)
        --spoq.relay.agent-port=PORT            agent sessions (default 51821)
        --server.port=PORT                      HTTP: health, metrics (default 8085)

      See relay-server/README.md for the full reference.
      """;

  public static void main(String[] args) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.print(HELP);
      return;
    }
    new SpringApplicationBuilder(RelayServerApplication.class)
        .properties("spring.config.name=relay-server")
        .run(args);
  }
}
