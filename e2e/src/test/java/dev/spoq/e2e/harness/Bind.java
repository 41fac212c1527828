package dev.spoq.e2e.harness;

import dev.spoq.testsupport.netns.NetworkNamespace;
import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * An authoritative BIND {@code named} for the product zone, in its own namespace, accepting RFC
 * 2136 updates signed with a TSIG key (the one dns-api's provider is configured with).
 */
public final class Bind implements AutoCloseable {

  public static final String KEY_NAME = "spoq-dns-api";
  public static final String KEY_ALGORITHM = "hmac-sha256";

  private final NetworkNamespace ns;
  private final String address;
  private final String zone;
  private final String keySecret;
  private final Path dir;
  private ManagedProcess named;

  public Bind(NetworkNamespace ns, String address, String zone, Path workDir, String sshAddress) {
    this.ns = ns;
    this.address = address;
    this.zone = zone;
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.keySecret = Base64.getEncoder().encodeToString(secret);
    this.dir = workDir.resolve("bind");
    try {
      Files.createDirectories(dir);
      Files.writeString(
          dir.resolve("named.conf"),
          """
          options {
            directory "%1$s";
            pid-file "%1$s/named.pid";
            session-keyfile "%1$s/session.key";
            managed-keys-directory "%1$s";
            listen-on port 53 { %2$s; 127.0.0.1; };
            listen-on-v6 { none; };
            recursion no;
            allow-query { any; };
            dnssec-validation no;
            notify no;
          };
          key "%3$s" { algorithm %4$s; secret "%5$s"; };
          zone "%6$s" {
            type primary;
            file "%1$s/%6$s.zone";
            journal "%1$s/%6$s.zone.jnl";
            update-policy { grant %3$s zonesub ANY; };
          };
          """
              .formatted(dir, address, KEY_NAME, KEY_ALGORITHM, keySecret, zone));
      Files.writeString(
          dir.resolve(zone + ".zone"),
          """
          $ORIGIN %1$s.
          $TTL 300
          @     IN SOA ns1.%1$s. hostmaster.%1$s. ( 1 60 60 600 60 )
          @     IN NS  ns1.%1$s.
          ns1   IN A   %2$s
          ssh   IN A   %3$s
          api   IN A   %3$s
          """
              .formatted(zone, address, sshAddress));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Bind start() {
    Path named = Binaries.require("named", "bind9");
    this.named =
        ns.start(
            "named",
            List.of(named.toString(), "-g", "-4", "-c", dir.resolve("named.conf").toString()),
            dir.resolve("named.log"));
    Ports.awaitTcp(ns, 53, this.named, Duration.ofSeconds(20));
    return this;
  }

  /** Asks this server (from {@code from}) for the A record of {@code name}; empty when none. */
  public static List<String> lookup(NetworkNamespace from, String server, String name) {
    String out =
        from.exec("dig", "+short", "+time=2", "+tries=1", "@" + server, name, "A").output().trim();
    return out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
  }

  public String zone() {
    return zone;
  }

  public String address() {
    return address;
  }

  public String keySecret() {
    return keySecret;
  }

  @Override
  public void close() {
    if (named != null) {
      named.close();
    }
  }
}
