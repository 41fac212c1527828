package dev.spoq.jump.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads an ed25519 key pair from an OpenSSH private key file, creating it (mode 0600, plus a {@code
 * .pub}) on first use, so the key and its fingerprint survive restarts.
 */
public final class KeyFiles {

  private static final Logger log = LoggerFactory.getLogger(KeyFiles.class);

  private KeyFiles() {}

  public static KeyPair loadOrCreateEd25519(Path path, String comment) {
    Path file = path.toAbsolutePath().normalize();
    try {
      if (Files.exists(file)) {
        return load(file);
      }
      Files.createDirectories(file.getParent());
      KeyPair pair = KeyUtils.generateKeyPair(KeyPairProvider.SSH_ED25519, 256);
      Path tmp = Files.createTempFile(file.getParent(), ".key", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        try (OutputStream out = Files.newOutputStream(tmp)) {
          OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment, null, out);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      Files.writeString(
          Path.of(file + ".pub"), publicKeyLine(pair, comment) + "\n", StandardCharsets.US_ASCII);
      log.info("generated new ed25519 key {}", file);
      return pair;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create key " + file, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read or create key " + file, e);
    }
  }

  private static KeyPair load(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      Iterable<KeyPair> pairs =
          SecurityUtils.loadKeyPairIdentities(
              null, NamedResource.ofName(file.toString()), in, null);
      Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
      if (it == null || !it.hasNext()) {
        throw new IllegalStateException("no key pair in " + file);
      }
      return it.next();
    }
  }

  /** {@code ssh-ed25519 AAAA... comment}, the line a container puts in authorized_keys. */
  public static String publicKeyLine(KeyPair pair, String comment) {
    return PublicKeyEntry.toString(pair.getPublic()) + (comment.isBlank() ? "" : " " + comment);
  }
}
