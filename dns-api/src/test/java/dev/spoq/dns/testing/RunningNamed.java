package dev.spoq.dns.testing;

import dev.spoq.testsupport.process.Binaries;
import dev.spoq.testsupport.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real BIND {@code named} on 127.0.0.1 and a free port, primary for one zone that accepts RFC
 * 2136 updates signed with a fresh TSIG key (hmac-sha256). Configuration, zone file and key are
 * written into a temporary directory that {@link #close()} removes after stopping named.
 */
public final class RunningNamed implements AutoCloseable {

  private final Path dir;
  private final int port;
  private final String zone;
  private final String keyName;
  private final String keySecret;
  private final ManagedProcess process;

  private RunningNamed(
      Path dir, int port, String zone, String keyName, String keySecret, ManagedProcess process) {
    this.dir = dir;
    this.port = port;
    this.zone = zone;
    this.keyName = keyName;
    this.keySecret = keySecret;
    this.process = process;
  }

  public static RunningNamed start(String zone) {
    Path named = Binaries.require("named", "bind9");
    try {
      Path dir = Files.createTempDirectory("spoq-named-");
      byte[] secret = new byte[32];
      new SecureRandom().nextBytes(secret);
      String keySecret = Base64.getEncoder().encodeToString(secret);
      String keyName = "spoq-dns-api-test";
      int port = freePort();
      Files.writeString(
          dir.resolve("zone.db"),
          String.join(
              "\n",
              "$TTL 300",
              "@ IN SOA ns1." + zone + ". hostmaster." + zone + ". (1 3600 600 86400 60)",
              "@ IN NS ns1." + zone + ".",
              "ns1 IN A 127.0.0.1",
              ""));
      Files.writeString(
          dir.resolve("named.conf"),
          String.join(
              "\n",
              "options {",
              "  directory \"" + dir + "\";",
              "  pid-file \"" + dir.resolve("named.pid") + "\";",
              "  session-keyfile \"" + dir.resolve("session.key") + "\";",
              "  managed-keys-directory \"" + dir + "\";",
              "  listen-on port " + port + " { 127.0.0.1; };",
              "  listen-on-v6 { none; };",
              "  recursion no;",
              "  allow-query { any; };",
              "  dnssec-validation no;",
              "  notify no;",
              "};",
              "controls { };",
              "key \"" + keyName + "\" { algorithm hmac-sha256; secret \"" + keySecret + "\"; };",
              "zone \"" + zone + "\" {",
              "  type primary;",
              "  file \"" + dir.resolve("zone.db") + "\";",
              "  update-policy { grant " + keyName + " zonesub ANY; };",
              "};",
              ""));
      ManagedProcess process =
          ManagedProcess.start(
              "named",
              List.of(named.toString(), "-g", "-4", "-c", dir.resolve("named.conf").toString()),
              dir.resolve("named.log"));
      try {
        process.awaitTcp("127.0.0.1", port, Duration.ofSeconds(20));
        awaitZoneLoaded(port, zone, process, Duration.ofSeconds(20));
      } catch (RuntimeException e) {
        process.close();
        throw e;
      }
      return new RunningNamed(dir, port, zone, keyName, keySecret, process);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare named", e);
    }
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
  }

  public int port() {
    return port;
  }

  public String zone() {
    return zone;
  }

  public String keyName() {
    return keyName;
  }

  public String keySecret() {
    return keySecret;
  }

  public String log() {
    return process.output();
  }

  @Override
  public void close() {
    process.close();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }

  /**
   * named listens before it has loaded its zones; until then an update answers SERVFAIL. Waits
   * until the zone's SOA is served authoritatively.
   */
  private static void awaitZoneLoaded(
      int port, String zone, ManagedProcess process, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      org.xbill.DNS.SimpleResolver resolver =
          new org.xbill.DNS.SimpleResolver(InetAddress.getLoopbackAddress());
      resolver.setPort(port);
      resolver.setTimeout(Duration.ofSeconds(1));
      org.xbill.DNS.Message query =
          org.xbill.DNS.Message.newQuery(
              org.xbill.DNS.Record.newRecord(
                  org.xbill.DNS.Name.fromString(zone + "."),
                  org.xbill.DNS.Type.SOA,
                  org.xbill.DNS.DClass.IN));
      while (System.nanoTime() < deadline) {
        try {
          org.xbill.DNS.Message answer = resolver.send(query);
          if (answer.getRcode() == org.xbill.DNS.Rcode.NOERROR
              && answer.getSection(org.xbill.DNS.Section.ANSWER).size() == 1) {
            return;
          }
        } catch (IOException notYet) {
          // not answering yet
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("bad zone name " + zone, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for named", e);
    }
    throw new IllegalStateException(
        "named did not serve zone " + zone + " within " + timeout + ":\n" + process.output());
  }

  private static int freePort() throws IOException {
    for (int i = 0; i < 20; i++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int candidate = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(candidate, InetAddress.getLoopbackAddress())) {
          return candidate;
        } catch (IOException takenForUdp) {
          // try another
        }
      }
    }
    throw new IOException("no free port for named");
  }
}
