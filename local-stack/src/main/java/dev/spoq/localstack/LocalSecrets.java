package dev.spoq.localstack;

import dev.spoq.common.token.Tokens;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Properties;

/**
 * The local stack's secrets (admin API key, one service credential per calling service, the frps
 * plugin secret), made on first run and kept in {@code <state>/secrets.properties} with mode 0600.
 */
final class LocalSecrets {

  static final List<String> CALLING_SERVICES =
      List.of("dns-api", "relay-coordinator", "jump-router");

  private final Properties values;

  private LocalSecrets(Properties values) {
    this.values = values;
  }

  static LocalSecrets loadOrCreate(Path file) throws IOException {
    Properties props = new Properties();
    if (Files.exists(file)) {
      try (Reader reader = Files.newBufferedReader(file)) {
        props.load(reader);
      }
    }
    boolean changed = false;
    changed |= ensure(props, "admin-key", "spoq_key");
    for (String service : CALLING_SERVICES) {
      changed |= ensure(props, "service-token." + service, "spoq_svc");
    }
    changed |= ensure(props, "frps-plugin-secret", "spoq_plg");
    changed |= ensure(props, "frps-auth-token", "spoq_frp");
    changed |= ensure(props, "relay-credential-key", "spoq_rck");
    changed |= ensure(props, "coordinator-dns-token", "spoq_svc");
    if (changed) {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (Writer writer = Files.newBufferedWriter(tmp)) {
        props.store(writer, "Spoq local control plane secrets (generated; keep private)");
      }
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    return new LocalSecrets(props);
  }

  String adminKey() {
    return values.getProperty("admin-key");
  }

  String serviceToken(String service) {
    return values.getProperty("service-token." + service);
  }

  String frpsPluginSecret() {
    return values.getProperty("frps-plugin-secret");
  }

  String relayCredentialKey() {
    return values.getProperty("relay-credential-key");
  }

  /** relay-coordinator's token at dns-api (contract C6), distinct from its registry token. */
  String coordinatorDnsToken() {
    return values.getProperty("coordinator-dns-token");
  }

  String frpsAuthToken() {
    return values.getProperty("frps-auth-token");
  }

  private static boolean ensure(Properties props, String key, String prefix) {
    if (Tokens.looksValid(props.getProperty(key))) {
      return false;
    }
    props.setProperty(key, Tokens.generate(prefix));
    return true;
  }
}
