package dev.spoq.dns.record.web;

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

/**
 * The OpenAPI document served at {@code /v3/api-docs} (committed as docs/api/dns-api-openapi.yaml).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

  static {
    // The caller comes from the bearer credential (request attribute), never from the request.
    SpringDocUtils.getConfig()
        .addRequestWrapperToIgnore(
            Caller.class, Caller.Device.class, Caller.ApiKey.class, Caller.Service.class);
  }

  @Bean
  OpenAPI dnsApiOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Spoq dns-api")
                .version("v1")
                .description(
                    "Dynamic DNS of every Jetson (alice.spoq.dev, TTL 60, not proxied) at"
                        + " Cloudflare or an RFC 2136 server. Bearer credentials: device token"
                        + " (spoq_dev_, POST /api/dns/update and reads of its own name), API key"
                        + " (spoq_key_, reads of the account's names), service token (/internal/**,"
                        + " relay-coordinator only)."))
        .servers(List.of(new Server().url("http://localhost:8082")))
        .components(
            new Components()
                .addSecuritySchemes(
                    "bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")))
        .addSecurityItem(new SecurityRequirement().addList("bearer"));
  }
}
