package dev.spoq.agent.state;

import dev.spoq.agent.config.ConfigException;
import dev.spoq.agent.util.SecureFiles;
import dev.spoq.common.wireguard.WireGuardKey;
import dev.spoq.common.wireguard.X25519;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Jetson's private key and device token on disk (0600); keys are never overwritten. */
public final class Secrets {

  private static final Logger log = LoggerFactory.getLogger(Secrets.class);

  private Secrets() {}

  /** The existing private key, or a fresh one written 0600 when there is none. */
  public static X25519.KeyPair loadOrCreateKey(Path file) {
    Optional<WireGuardKey> existing = loadKey(file);
    if (existing.isPresent()) {
      return new X25519.KeyPair(existing.get(), X25519.publicKeyOf(existing.get()));
    }
    X25519.KeyPair pair = X25519.generate();
    SecureFiles.createSecret(file, pair.privateKey().base64() + "\n");
    log.info("generated the WireGuard key pair; private key at {} (0600)", file);
    return pair;
  }

  /** Reads the private key; a malformed file is an error, never silently replaced. */
  public static Optional<WireGuardKey> loadKey(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String text = read(file).trim();
    try {
      WireGuardKey key = WireGuardKey.parse(text);
      if (!SecureFiles.isOwnerOnly(file)) {
        log.warn("{} is readable by others; fixing its mode to 0600", file);
        Files.setPosixFilePermissions(
            file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      }
      return Optional.of(key);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "private key file "
              + file
              + " is not a WireGuard key (44 base64 characters); it was left untouched."
              + " Restore it from a backup, or move it away and re-enroll");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static X25519.KeyPair requireKey(Path file) {
    WireGuardKey key =
        loadKey(file)
            .orElseThrow(
                () ->
                    new ConfigException(
                        "no private key at " + file + "; run 'spoq enroll <code>' first"));
    return new X25519.KeyPair(key, X25519.publicKeyOf(key));
  }

  public static void saveToken(Path file, String token) {
    SecureFiles.write(file, token + "\n", true);
  }

  public static String requireToken(Path file) {
    if (!Files.exists(file)) {
      throw new ConfigException("no device token at " + file + "; run 'spoq enroll <code>'");
    }
    String token = read(file).trim();
    if (!token.matches("[A-Za-z0-9_\\-]{16,200}")) {
      throw new ConfigException(
          "device token file " + file + " is corrupt; re-run 'spoq enroll <code>'");
    }
    return token;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
