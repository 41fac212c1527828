package dev.spoq.dns;

import dev.spoq.dns.bootstrap.BootstrapCommand;
import java.util.Arrays;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;

@SpringBootApplication
public class DnsApiApplication {

  static final String USAGE =
      """
      Usage: java -jar dns-api-exec.jar [--<setting>=<value>...]   run the service (port 8082)
             java -jar dns-api-exec.jar bootstrap [--dry-run]      ensure the zone's static records
             java -jar dns-api-exec.jar bootstrap --help           bootstrap options
             java -jar dns-api-exec.jar --help                     this text

      Main settings (environment variable in brackets; see dns-api/README.md for all):
        spring.datasource.url/username/password     PostgreSQL (schema "dns")
        spoq.domain [SPOQ_DOMAIN]                    zone of the Jetson names (default spoq.dev)
        spoq.registry.base-url [SPOQ_REGISTRY_BASEURL], spoq.registry.service-token [SPOQ_REGISTRY_SERVICETOKEN]
        spoq.dns.provider [SPOQ_DNS_PROVIDER]        cloudflare | rfc2136 | none (default none)
      """;

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("bootstrap")) {
      System.exit(
          BootstrapCommand.run(Arrays.copyOfRange(args, 1, args.length), System.out, System.err));
    }
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.print(USAGE);
      return;
    }
    new SpringApplicationBuilder(DnsApiApplication.class)
        .properties("spring.config.name=dns-api")
        .run(args);
  }
}
