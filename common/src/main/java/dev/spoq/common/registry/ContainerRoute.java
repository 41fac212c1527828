package dev.spoq.common.registry;

/**
 * Answer of {@code GET /internal/v1/accounts/{username}/container-route}: where the account's Cloud
 * container listens for SSH and the host key it must present ({@code ssh-ed25519 AAAA...}).
 */
public record ContainerRoute(String username, String host, int port, String hostKey) {}
