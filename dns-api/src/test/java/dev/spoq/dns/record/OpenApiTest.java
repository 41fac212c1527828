package dev.spoq.dns.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.testsupport.openapi.OpenApiDocuments;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The served OpenAPI document lists every controller mapping, and the committed copy under
 * docs/api/ is the served one. Regenerate the copy with {@code -Dspoq.openapi.write=true}.
 */
class OpenApiTest extends CloudflareBackedTest {

  private static final Path COMMITTED = Path.of("../docs/api/dns-api-openapi.yaml");

  @Autowired RequestMappingHandlerMapping requestMappingHandlerMapping;

  @Test
  void servesTheOpenApiDocumentToApiKeysAndServicesOnly() {
    Home home = newHome("docs");
    assertThat(api.get("/v3/api-docs", null, null).status()).isEqualTo(401);
    assertThat(api.get("/v3/api-docs", home.token(), null).status()).isEqualTo(401);
    assertThat(api.get("/v3/api-docs", home.account().apiKey(), null).status()).isEqualTo(200);
    assertThat(api.get("/v3/api-docs.yaml", COORDINATOR_TOKEN, null).status()).isEqualTo(200);
  }

  @Test
  void everyControllerMappingIsDocumented() {
    JsonNode doc = api.get("/v3/api-docs", REGISTRY.adminKey(), null).json();
    JsonNode paths = doc.get("paths");
    assertThat(
            OpenApiDocuments.undocumented(
                requestMappingHandlerMapping,
                "dev.spoq.dns",
                (path, verb) -> !paths.path(path).path(verb).isMissingNode()))
        .isEmpty();
    assertThat(paths.has("/api/dns/update")).isTrue();
    assertThat(paths.has("/internal/v1/dns/{subdomain}")).isTrue();
    assertThat(doc.toString()).doesNotContain("\"name\":\"caller\"");
  }

  @Test
  void committedCopyMatchesTheServedDocument() throws Exception {
    String served = api.get("/v3/api-docs.yaml", REGISTRY.adminKey(), null).body();
    assertThat(OpenApiDocuments.committedCopy(COMMITTED, served))
        .as(COMMITTED + " is stale; rerun with -Dspoq.openapi.write=true")
        .isEqualTo(served);
  }
}
