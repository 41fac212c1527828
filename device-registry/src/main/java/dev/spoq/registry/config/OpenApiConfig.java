package dev.spoq.registry.config;

import dev.spoq.registry.security.ApiKeyCaller;
import dev.spoq.registry.security.Caller;
import dev.spoq.registry.security.DeviceCaller;
import dev.spoq.registry.security.ServiceCaller;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import java.util.List;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document served at {@code /v3/api-docs} (committed as docs/api/). */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {

  static {
    // The authenticated caller is resolved from the bearer credential, not a request parameter.
    SpringDocUtils.getConfig()
        .addRequestWrapperToIgnore(
            Caller.class, ApiKeyCaller.class, DeviceCaller.class, ServiceCaller.class);
  }

  @Bean
  OpenAPI registryOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Spoq device registry")
                .version("v1")
                .description(
                    "System of record: accounts, Jetsons, profiles, devices, WireGuard keys and"
                        + " addresses, tokens, SSH keys, container routes, status, audit. Bearer"
                        + " credentials: API key (spoq_key_, web app), device token (spoq_dev_,"
                        + " /api/jetsons/self/**), service token (/internal/**)."))
        .servers(List.of(new Server().url("http://localhost:8081")))
        .components(
            new Components()
                .addSecuritySchemes(
                    "bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
        .addSecurityItem(new SecurityRequirement().addList("bearer"));
  }
}
