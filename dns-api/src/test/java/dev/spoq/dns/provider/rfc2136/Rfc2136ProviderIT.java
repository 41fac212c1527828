package dev.spoq.dns.provider.rfc2136;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spoq.dns.bootstrap.BootstrapCommand;
import dev.spoq.dns.provider.ProviderException;
import dev.spoq.dns.provider.ProviderRecord;
import dev.spoq.dns.provider.RecordType;
import dev.spoq.dns.testing.DnsQuery;
import dev.spoq.dns.testing.DnsQuery.Answer;
import dev.spoq.dns.testing.RunningNamed;
import dev.spoq.dns.testing.TamperingDnsProxy;
import dev.spoq.testsupport.process.Binaries;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The RFC 2136 provider against a real BIND named started by the test. */
class Rfc2136ProviderIT {

  private static RunningNamed named;
  private static Rfc2136Provider provider;

  @BeforeAll
  static void startNamed() {
    named = RunningNamed.start("spoq.dev");
    provider = providerWithSecret(named.keySecret());
  }

  @AfterAll
  static void stopNamed() {
    if (named != null) {
      named.close();
    }
  }

  private static Rfc2136Provider providerWithSecret(String secret) {
    return new Rfc2136Provider(
        named.address(), "spoq.dev", named.keyName(), "hmac-sha256", secret, Duration.ofSeconds(3));
  }

  @Test
  void anUpdateIsServedToARealQueryWithTtl60() {
    provider.upsert(ProviderRecord.jetson("alice.spoq.dev", RecordType.A, "73.45.123.89"));

    assertThat(DnsQuery.query(named.address(), "alice.spoq.dev", "A"))
        .containsExactly(new Answer("73.45.123.89", 60));
  }

  @Test
  void aChangeReplacesTheWholeRrset() {
    provider.upsert(ProviderRecord.jetson("bob.spoq.dev", RecordType.A, "8.8.8.8"));
    provider.upsert(ProviderRecord.jetson("bob.spoq.dev", RecordType.A, "8.8.4.4"));

    assertThat(DnsQuery.query(named.address(), "bob.spoq.dev", "A"))
        .containsExactly(new Answer("8.8.4.4", 60));
    assertThat(provider.find("bob.spoq.dev", RecordType.A))
        .containsExactly(ProviderRecord.jetson("bob.spoq.dev", RecordType.A, "8.8.4.4"));
  }

  @Test
  void ipv6GoesIntoAnAaaaRecordAndDigSeesIt() throws Exception {
    provider.upsert(
        ProviderRecord.jetson("carol.spoq.dev", RecordType.AAAA, "2606:4700::6810:84e5"));

    assertThat(DnsQuery.query(named.address(), "carol.spoq.dev", "AAAA"))
        .containsExactly(new Answer("2606:4700:0:0:0:0:6810:84e5", 60));
    assertThat(provider.find("carol.spoq.dev", RecordType.AAAA))
        .containsExactly(
            ProviderRecord.jetson("carol.spoq.dev", RecordType.AAAA, "2606:4700::6810:84e5"));
    assertThat(dig("carol.spoq.dev", "AAAA")).isEqualTo("2606:4700::6810:84e5");
  }

  @Test
  void aMissingNameIsFoundEmpty() {
    assertThat(provider.find("nobody.spoq.dev", RecordType.A)).isEmpty();
  }

  @Test
  void aWrongTsigSecretIsRefusedAndChangesNothing() {
    String wrong =
        Base64.getEncoder()
            .encodeToString("not-the-right-secret-32-bytes!!!".getBytes(StandardCharsets.UTF_8));
    Rfc2136Provider impostor = providerWithSecret(wrong);

    assertThatThrownBy(
            () -> impostor.upsert(ProviderRecord.jetson("dave.spoq.dev", RecordType.A, "1.1.1.1")))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> {
              assertThat(e.transientFailure()).isFalse();
              assertThat(e.getMessage()).contains("TSIG").doesNotContain(wrong);
            });
    assertThat(DnsQuery.query(named.address(), "dave.spoq.dev", "A")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(TamperingDnsProxy.Tamper.class)
  void aReplyWithoutAValidTsigSignatureIsNotTrusted(TamperingDnsProxy.Tamper tamper) {
    try (TamperingDnsProxy proxy = new TamperingDnsProxy(named.address(), tamper)) {
      Rfc2136Provider behindAttacker =
          new Rfc2136Provider(
              proxy.address(),
              "spoq.dev",
              named.keyName(),
              "hmac-sha256",
              named.keySecret(),
              Duration.ofSeconds(3));
      String name = "mallory-" + tamper.name().toLowerCase().replace('_', '-') + ".spoq.dev";

      assertThatThrownBy(
              () -> behindAttacker.upsert(ProviderRecord.jetson(name, RecordType.A, "1.1.1.1")))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> {
                assertThat(e.transientFailure()).isTrue();
                assertThat(e.getMessage()).contains("no valid TSIG signature");
              });
      assertThatThrownBy(() -> behindAttacker.find(name, RecordType.A))
          .isInstanceOf(ProviderException.class)
          .hasMessageContaining("no valid TSIG signature");
    }
  }

  @Test
  void bootstrapReportsAChangeTheServerSilentlyIgnored() {
    // Its own server: the bootstrap adds a wildcard that would change the other tests' answers.
    try (RunningNamed own = RunningNamed.start("spoq.dev")) {
      // api.spoq.dev already has an A record: BIND accepts the CNAME update and ignores it.
      new Rfc2136Provider(
              own.address(),
              "spoq.dev",
              own.keyName(),
              "hmac-sha256",
              own.keySecret(),
              Duration.ofSeconds(3))
          .upsert(new ProviderRecord("api.spoq.dev", RecordType.A, "93.184.216.40", 300, false));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      String[] args = {
        "--spoq.dns.provider=rfc2136",
        "--spoq.dns.rfc2136.server=127.0.0.1",
        "--spoq.dns.rfc2136.port=" + own.port(),
        "--spoq.dns.rfc2136.key-name=" + own.keyName(),
        "--spoq.dns.rfc2136.key-secret=" + own.keySecret(),
        "--spoq.dns.bootstrap.web-address=93.184.216.34",
        "--spoq.dns.bootstrap.ssh-address=93.184.216.35",
        "--spoq.dns.bootstrap.load-balancer-address=93.184.216.36",
        "--logging.structured.format.console="
      };

      int status =
          BootstrapCommand.run(
              args,
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));

      assertThat(status).isEqualTo(1);
      assertThat(out.toString(StandardCharsets.UTF_8))
          .contains("IGNORED by the server: api.spoq.dev CNAME spoq.dev")
          .contains("done: ssh.spoq.dev A");
      assertThat(err.toString(StandardCharsets.UTF_8)).contains("1 change(s) were ignored");
      assertThat(DnsQuery.query(own.address(), "api.spoq.dev", "CNAME")).isEmpty();
    }
  }

  @Test
  void aNameOutsideTheZoneIsRefusedBeforeSending() {
    assertThatThrownBy(
            () -> provider.upsert(ProviderRecord.jetson("x.example.org", RecordType.A, "1.1.1.1")))
        .isInstanceOf(ProviderException.class)
        .hasMessageContaining("not inside zone");
  }

  @Test
  void anUnreachableServerIsTransient() throws IOException {
    int closedPort;
    try (var socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Rfc2136Provider nowhere =
        new Rfc2136Provider(
            new InetSocketAddress("127.0.0.1", closedPort),
            "spoq.dev",
            named.keyName(),
            "hmac-sha256",
            named.keySecret(),
            Duration.ofSeconds(1));

    assertThatThrownBy(
            () -> nowhere.upsert(ProviderRecord.jetson("erin.spoq.dev", RecordType.A, "1.1.1.1")))
        .isInstanceOfSatisfying(
            ProviderException.class, e -> assertThat(e.transientFailure()).isTrue());
  }

  static String dig(String name, String type) throws Exception {
    String dig = Binaries.require("dig", "bind9-dnsutils").toString();
    Process p =
        new ProcessBuilder(
                List.of(
                    dig, "@127.0.0.1", "-p", Integer.toString(named.port()), name, type, "+short"))
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }
}
