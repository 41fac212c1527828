package dev.spoq.dns.address;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spoq.dns.provider.RecordType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PublicAddressPolicyTest {

  private final PublicAddressPolicy policy = new PublicAddressPolicy(List.of());

  @ParameterizedTest
  @CsvSource({
    "73.45.123.89, A, 73.45.123.89",
    "8.8.8.8, A, 8.8.8.8",
    "1.0.0.1, A, 1.0.0.1",
    "100.63.255.255, A, 100.63.255.255",
    "100.128.0.0, A, 100.128.0.0",
    "172.32.0.1, A, 172.32.0.1",
    "192.0.3.1, A, 192.0.3.1",
    "223.255.255.254, A, 223.255.255.254",
    "2606:4700:4700::1111, AAAA, 2606:4700:4700::1111",
    "2A00:1450:4001:0829:0000:0000:0000:200E, AAAA, 2a00:1450:4001:829::200e",
    "2001:4860:4860::8888, AAAA, 2001:4860:4860::8888"
  })
  void publicUnicastIsAccepted(String ip, RecordType type, String canonical) {
    PublicAddressPolicy.Result r = policy.check(ip);

    assertThat(r.isAccepted()).as(r.refusal()).isTrue();
    assertThat(r.accepted().type()).isEqualTo(type);
    assertThat(r.accepted().canonical()).isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0.1.2.3",
        "10.0.0.1",
        "100.64.0.0",
        "100.127.255.255",
        "127.0.0.1",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.0.1",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.1",
        "203.0.113.255",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "2001:db8::1",
        "2001:db8:ffff::1",
        "2001::1",
        "2001:2::1",
        "2002:0808:0808::1",
        "3fff::1",
        "64:ff9b::808:808",
        "::ffff:8.8.8.8",
        "4000::1"
      })
  void specialPurposeAddressesAreRefusedWithAReason(String ip) {
    PublicAddressPolicy.Result r = policy.check(ip);

    assertThat(r.isAccepted()).isFalse();
    assertThat(r.refusal()).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "localhost",
        "example.com",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4",
        " 1.2.3.4",
        "1.2.3.4/32",
        "fe80::1%eth0",
        "[::1]",
        "1:2:3:4:5:6:7:8:9",
        "0x7f.1"
      })
  void nonLiteralsAreRefusedWithoutAnyLookup(String text) {
    assertThat(policy.check(text).isAccepted()).isFalse();
  }

  @Test
  void extraRangesAreAcceptedForTestEnvironments() {
    PublicAddressPolicy lenient = new PublicAddressPolicy(List.of("10.99.0.0/16", "fd00::/8"));

    assertThat(lenient.check("10.99.1.2").isAccepted()).isTrue();
    assertThat(lenient.check("fd00::5").isAccepted()).isTrue();
    assertThat(lenient.check("10.98.1.2").isAccepted()).isFalse();
  }

  @Test
  void reasonsNameTheRange() {
    assertThat(policy.check("100.64.1.1").refusal()).contains("carrier-grade NAT");
    assertThat(policy.check("192.168.1.1").refusal()).contains("private");
    assertThat(policy.check("203.0.113.1").refusal()).contains("documentation");
    assertThat(policy.check("::ffff:1.2.3.4").refusal()).contains("IPv4-mapped");
  }
}
