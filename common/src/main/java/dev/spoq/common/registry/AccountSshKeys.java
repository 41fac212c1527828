package dev.spoq.common.registry;

import java.util.List;
import java.util.UUID;

/** Answer of {@code GET /internal/v1/accounts/{username}/ssh-keys}: active keys only. */
public record AccountSshKeys(String username, List<Key> keys) {

  /**
   * One OpenSSH public key line ({@code ssh-ed25519 AAAA... comment}) with its SHA256 fingerprint.
   */
  public record Key(UUID id, String publicKey, String fingerprint) {}
}
