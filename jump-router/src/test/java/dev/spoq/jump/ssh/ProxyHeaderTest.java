package dev.spoq.jump.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** PROXY protocol headers as nginx ({@code proxy_protocol on}) and HAProxy send them. */
class ProxyHeaderTest {

  private static Optional<ProxyHeader.Parsed> parse(byte[] data) throws Exception {
    return ProxyHeader.parse(data, data.length);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void v1NamesTheClientAndItsLengthExcludesWhatFollows() throws Exception {
    byte[] data = ascii("PROXY TCP4 203.0.113.7 172.30.0.51 50312 2222\r\nSSH-2.0-OpenSSH_9.2\r\n");
    ProxyHeader.Parsed p = parse(data).orElseThrow();
    assertThat(p.length()).isEqualTo("PROXY TCP4 203.0.113.7 172.30.0.51 50312 2222\r\n".length());
    assertThat(p.client()).contains(new InetSocketAddress("203.0.113.7", 50312));
    ProxyHeader.Parsed v6 =
        parse(ascii("PROXY TCP6 2001:db8::7 2001:db8::1 4000 22\r\n")).orElseThrow();
    assertThat(v6.client()).contains(new InetSocketAddress("2001:db8::7", 4000));
    assertThat(parse(ascii("PROXY UNKNOWN\r\n")).orElseThrow().client()).isEmpty();
  }

  @Test
  void anIncompleteHeaderWaitsForMoreBytes() throws Exception {
    assertThat(parse(ascii("PRO"))).isEmpty();
    assertThat(parse(ascii("PROXY TCP4 203.0.113.7 172.30."))).isEmpty();
    assertThat(parse(java.util.Arrays.copyOf(ProxyHeader.V2_SIGNATURE, 14))).isEmpty();
  }

  @Test
  void v2NamesTheClientAndLocalNamesNone() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(ProxyHeader.V2_SIGNATURE);
    out.write(new byte[] {0x21, 0x11, 0x00, 12}); // PROXY, TCP over IPv4, 12 bytes
    out.write(new byte[] {(byte) 198, 51, 100, 9, (byte) 172, 30, 0, 51});
    out.write(new byte[] {(byte) 0xC3, 0x50, 0x08, (byte) 0xAE}); // 50000 -> 2222
    out.write(ascii("SSH-2.0-x\r\n"));
    ProxyHeader.Parsed p = parse(out.toByteArray()).orElseThrow();
    assertThat(p.length()).isEqualTo(28);
    assertThat(p.client()).contains(new InetSocketAddress("198.51.100.9", 50000));

    ByteArrayOutputStream local = new ByteArrayOutputStream();
    local.write(ProxyHeader.V2_SIGNATURE);
    local.write(new byte[] {0x20, 0x00, 0x00, 0x00});
    assertThat(parse(local.toByteArray()).orElseThrow().client()).isEmpty();
  }

  @Test
  void malformedOrHostileHeadersAreRefused() {
    for (String bad :
        List.of(
            "SSH-2.0-OpenSSH_9.2\r\n",
            "PROXY TCP4 evil.example 172.30.0.51 1 2\r\n",
            "PROXY TCP4 1.2.3 172.30.0.51 1 2\r\n",
            "PROXY TCP4 2001:db8::1 172.30.0.51 1 2\r\n",
            "PROXY TCP4 203.0.113.7 172.30.0.51 99999 2\r\n",
            "PROXY TCP4 203.0.113.7 172.30.0.51 -1 2\r\n",
            "PROXY UDP4 203.0.113.7 172.30.0.51 1 2\r\n",
            "PROXY TCP4 203.0.113.7\r\n",
            "PROXY " + "A".repeat(200))) {
      assertThatThrownBy(() -> parse(ascii(bad))).as(bad).isInstanceOf(ProxyHeader.Malformed.class);
    }
    byte[] tooLong = java.util.Arrays.copyOf(ProxyHeader.V2_SIGNATURE, 16);
    tooLong[12] = 0x21;
    tooLong[13] = 0x11;
    tooLong[14] = 0x10; // 4096 bytes of addresses and TLVs
    assertThatThrownBy(() -> parse(tooLong)).isInstanceOf(ProxyHeader.Malformed.class);
  }

  @Test
  void trustedRangesMatchAddressesNotNames() {
    TrustedProxies trusted = TrustedProxies.of(List.of("172.30.0.10", "10.8.0.0/16"));
    assertThat(trusted.enabled()).isTrue();
    assertThat(trusted.trusted(new InetSocketAddress("172.30.0.10", 1))).isTrue();
    assertThat(trusted.trusted(new InetSocketAddress("10.8.200.1", 1))).isTrue();
    assertThat(trusted.trusted(new InetSocketAddress("10.9.0.1", 1))).isFalse();
    assertThat(TrustedProxies.of(List.of()).enabled()).isFalse();
    for (String bad : List.of("proxy.example", "10.0.0.0/33", "10.0.0", "")) {
      assertThatThrownBy(() -> TrustedProxies.of(List.of(bad)))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
