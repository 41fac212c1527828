package dev.spoq.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.relay.support.RelayServiceTest;
import dev.spoq.testsupport.openapi.OpenApiDocuments;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13 item 14: the served OpenAPI document lists every controller mapping, and the committed
 * copy under docs/api/ is the served one. Regenerate the copy with {@code
 * -Dspoq.openapi.write=true}.
 */
class OpenApiTest extends RelayServiceTest {

  private static final Path COMMITTED = Path.of("../docs/api/relay-coordinator-openapi.yaml");

  @Autowired RequestMappingHandlerMapping requestMappingHandlerMapping;

  @Test
  void servesTheOpenApiDocumentToAuthenticatedCallersOnly() {
    assertThat(call("GET", "/v3/api-docs", null, null).status()).isEqualTo(401);
    assertThat(call("GET", "/v3/api-docs", admin(), null).status()).isEqualTo(200);
  }

  @Test
  void everyControllerMappingIsDocumented() {
    JsonNode doc = call("GET", "/v3/api-docs", admin(), null).json();
    JsonNode paths = doc.get("paths");
    assertThat(
            OpenApiDocuments.undocumented(
                requestMappingHandlerMapping,
                "dev.spoq.relay",
                (path, verb) -> !paths.path(path).path(verb).isMissingNode()))
        .isEmpty();
    assertThat(paths.has("/internal/v1/relay-servers/{relayId}/jetsons")).isTrue();
    assertThat(paths.has("/api/relays/{id}/token/rotate")).isTrue();
  }

  @Test
  void committedCopyMatchesTheServedDocument() throws Exception {
    String served = call("GET", "/v3/api-docs.yaml", admin(), null).body();
    assertThat(OpenApiDocuments.committedCopy(COMMITTED, served))
        .as(COMMITTED + " is stale; rerun with -Dspoq.openapi.write=true")
        .isEqualTo(served);
  }
}
