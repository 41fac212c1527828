package dev.spoq.relay.config;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document served at {@code /v3/api-docs} (committed as docs/api/). */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

  @Bean
  OpenAPI relayCoordinatorOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Spoq relay coordinator")
                .version("v1")
                .description(
                    "Relay fleet (kinds frp and spoq), assignment of a relay to each Jetson, the"
                        + " frps HTTP server plugin, the relay-server API, usage and the connection"
                        + " decision. Bearer credentials: API key (spoq_key_), device token"
                        + " (spoq_dev_, /api/relay/**), relay token (spoq_rls_,"
                        + " /internal/v1/relay-servers/**); the frps plugin path carries a secret"
                        + " segment instead."))
        .servers(List.of(new Server().url("http://localhost:8083")))
        .components(
            new Components()
                .addSecuritySchemes(
                    "bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
        .addSecurityItem(new SecurityRequirement().addList("bearer"));
  }
}
