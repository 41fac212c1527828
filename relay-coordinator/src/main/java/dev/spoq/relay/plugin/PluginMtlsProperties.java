package dev.spoq.relay.plugin;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The frps plugin's mTLS listener ({@code spoq.relay.plugin-mtls.*}): a second HTTPS port that
 * serves only {@code POST /frps-plugin-mtls/{relayId}/handler}, requires a client certificate
 * issued by the relay CA ({@code trust-store}) whose subject CN is the relay id, and needs no
 * secret in the URL. relay-server's frp plugin gateway calls it. Off by default; the secret-path
 * endpoint on the main port stays for frps configs that point at the coordinator directly.
 *
 * @param port 0 = any free port (tests)
 * @param keyStore PKCS12 file with this listener's certificate and key
 * @param trustStore PKCS12 file holding the relay CA certificate
 */
@Validated
@ConfigurationProperties("spoq.relay.plugin-mtls")
public record PluginMtlsProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("0.0.0.0") @NotBlank String address,
    @DefaultValue("8443") @Min(0) @Max(65535) int port,
    String keyStore,
    String keyStorePassword,
    String trustStore,
    String trustStorePassword) {}
