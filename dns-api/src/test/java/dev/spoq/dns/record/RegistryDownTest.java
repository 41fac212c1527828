package dev.spoq.dns.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.common.token.Tokens;
import dev.spoq.dns.DnsApiApplication;
import dev.spoq.dns.testing.ApiClient;
import dev.spoq.dns.testing.ApiClient.Answer;
import dev.spoq.testsupport.postgres.TestPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With the registry unreachable no credential can be checked: refuse (503), never let through. */
@SpringBootTest(
    classes = DnsApiApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.config.name=dns-api", "logging.structured.format.console="})
class RegistryDownTest {

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws IOException {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    int port = closed;
    TestPostgres.register(registry, "dns_api_registry_down");
    registry.add("spoq.registry.base-url", () -> "http://127.0.0.1:" + port);
    registry.add("spoq.registry.service-token", () -> Tokens.generate("spoq_svc"));
  }

  @LocalServerPort int port;

  @Test
  void updatesAndReadsFailClosedWith503() {
    ApiClient api = new ApiClient("http://127.0.0.1:" + port);
    String token = Tokens.generate("spoq_dev");

    Answer update = api.update(token, "{\"subdomain\":\"alice\",\"ip\":\"8.8.8.8\"}", null);
    assertThat(update.status()).isEqualTo(503);
    assertThat(update.header("Retry-After")).isEqualTo("5");
    assertThat(update.json().path("type").asString()).endsWith("/upstream-unavailable");
    assertThat(update.body()).doesNotContain("Exception").doesNotContain("127.0.0.1");

    Answer read = api.get("/api/dns/alice", Tokens.generate("spoq_key"), null);
    assertThat(read.status()).isEqualTo(503);
  }
}
