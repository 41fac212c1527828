package dev.spoq.jump.config;

import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Where the device registry is and this service's credential for it. */
@ConfigurationProperties("spoq.registry")
@Validated
public record RegistryProperties(
    @DefaultValue("http://localhost:8081") @NotNull URI baseUrl,
    @DefaultValue("") String serviceToken,
    @DefaultValue("3s") @NotNull Duration requestTimeout) {}
