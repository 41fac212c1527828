package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import dev.spoq.testsupport.openapi.OpenApiDocuments;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * The served OpenAPI document lists every controller mapping, and the committed copy under
 * docs/api/ is the served one. Regenerate the copy with {@code -Dspoq.openapi.write=true}.
 */
class OpenApiTest {

  private static final Path COMMITTED = Path.of("../docs/api/device-registry-openapi.yaml");

  private final RunningRegistry registry = SharedRegistry.get();

  @Test
  void servesTheOpenApiDocumentToAuthenticatedCallersOnly() {
    assertThat(registry.call("GET", "/v3/api-docs", null, null).status()).isEqualTo(401);
    assertThat(registry.call("GET", "/v3/api-docs", registry.serviceToken("e2e"), null).status())
        .isEqualTo(200);
  }

  @Test
  void everyControllerMappingIsDocumented() {
    JsonNode doc = registry.call("GET", "/v3/api-docs", registry.adminKey(), null).json();
    JsonNode paths = doc.get("paths");
    RequestMappingHandlerMapping mapping =
        registry
            .context()
            .getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class);
    assertThat(
            OpenApiDocuments.undocumented(
                mapping,
                "dev.spoq.registry",
                (path, verb) -> !paths.path(path).path(verb).isMissingNode()))
        .isEmpty();
    assertThat(paths.has("/internal/v1/device-tokens/introspect")).isTrue();
    assertThat(paths.has("/api/jetsons/self/peers")).isTrue();
    // The caller is taken from the bearer credential, never a parameter.
    assertThat(doc.toString()).doesNotContain("\"name\":\"caller\"");
  }

  @Test
  void committedCopyMatchesTheServedDocument() throws Exception {
    String served = registry.call("GET", "/v3/api-docs.yaml", registry.adminKey(), null).body();
    assertThat(OpenApiDocuments.committedCopy(COMMITTED, served))
        .as(COMMITTED + " is stale; rerun with -Dspoq.openapi.write=true")
        .isEqualTo(served);
  }
}
