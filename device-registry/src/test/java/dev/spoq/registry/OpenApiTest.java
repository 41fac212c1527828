package dev.spoq.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.registry.testing.RunningRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    List<String> missing = new ArrayList<>();
    mapping
        .getHandlerMethods()
        .forEach(
            (info, method) -> {
              if (!method.getBeanType().getPackageName().startsWith("dev.spoq.registry")) {
                return;
              }
              for (String path : info.getPatternValues()) {
                for (var verb : info.getMethodsCondition().getMethods()) {
                  JsonNode operation = paths.path(path).path(verb.name().toLowerCase());
                  if (operation.isMissingNode()) {
                    missing.add(verb + " " + path);
                  }
                }
              }
            });
    assertThat(missing).isEmpty();
    assertThat(paths.has("/internal/v1/device-tokens/introspect")).isTrue();
    assertThat(paths.has("/api/jetsons/self/peers")).isTrue();
    // The caller is taken from the bearer credential, never a parameter.
    assertThat(doc.toString()).doesNotContain("\"name\":\"caller\"");
  }

  @Test
  void committedCopyMatchesTheServedDocument() throws Exception {
    String served = registry.call("GET", "/v3/api-docs.yaml", registry.adminKey(), null).body();
    if (Boolean.getBoolean("spoq.openapi.write")) {
      Files.createDirectories(COMMITTED.getParent());
      Files.writeString(COMMITTED, served, StandardCharsets.UTF_8);
    }
    assertThat(COMMITTED).exists();
    assertThat(Files.readString(COMMITTED, StandardCharsets.UTF_8))
        .as("docs/api copy is stale; rerun with -Dspoq.openapi.write=true")
        .isEqualTo(served);
  }
}
