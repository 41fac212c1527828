package dev.spoq.relayserver.frpgateway;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The frp plugin gateway ({@code spoq.frp-gateway.*}, env {@code SPOQ_FRPGATEWAY_*}); README has
 * the reference. frps on this host calls the gateway on a private address; the gateway calls the
 * coordinator's mTLS plugin listener with this relay's client certificate.
 *
 * @param bindAddress where frps's plugin calls arrive (keep it loopback or a private address)
 * @param port 0 = any free port (tests)
 * @param coordinatorUrl the coordinator's mTLS plugin listener, e.g.
 *     https://coordinator.internal:8443
 * @param relayId this relay's id at the coordinator (also the CN of the client certificate)
 * @param keyStore PKCS12 file with this relay's client certificate (issued by the relay CA) and key
 * @param trustStore PKCS12 file with the CA that issued the coordinator listener's certificate
 * @param staleWindow how long a session the coordinator allowed may keep pinging from memory while
 *     the coordinator cannot be reached
 * @param timeout per call to the coordinator (frps itself waits without limit)
 * @param maxSessions remembered sessions at most
 */
@Validated
@ConfigurationProperties("spoq.frp-gateway")
public record FrpGatewayProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("127.0.0.1") @NotBlank String bindAddress,
    @DefaultValue("7200") @Min(0) @Max(65535) int port,
    String coordinatorUrl,
    String relayId,
    String keyStore,
    String keyStorePassword,
    String trustStore,
    String trustStorePassword,
    @DefaultValue("10m") @NotNull Duration staleWindow,
    @DefaultValue("5s") @NotNull Duration timeout,
    @DefaultValue("100000") @Min(1) int maxSessions) {}
